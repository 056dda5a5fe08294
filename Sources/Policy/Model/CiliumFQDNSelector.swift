/// `toFQDNs[]` and `rules.dns[]`: `matchName` (exact, case-insensitive, trailing dot ignored) or
/// `matchPattern` (`*` alone: every name; `*` within a name: any run of DNS characters within one label;
/// a leading `**.`: one or more labels), CF1-CF3.
public struct CiliumFQDNSelector: Sendable, Hashable, CustomStringConvertible {
    public var matchName: String
    public var matchPattern: String

    public init(matchName: String = "", matchPattern: String = "") {
        self.matchName = matchName
        self.matchPattern = matchPattern
    }

    static func normalise(_ s: String) -> String {
        var t = s.lowercased()
        while t.hasSuffix(".") { t.removeLast() }
        return t
    }

    public func matches(_ name: String) -> Bool {
        let n = Self.normalise(name)
        if !matchName.isEmpty && Self.normalise(matchName) == n { return true }
        if !matchPattern.isEmpty && Self.glob(Array(Self.normalise(matchPattern).utf8), Array(n.utf8)) { return true }
        return false
    }

    static func isDNSChar(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || (c >= 0x41 && c <= 0x5A)
    }

    /// Glob over bytes: `*` = `[-a-z0-9_]*`, a leading `**.` = `([-a-z0-9_]+\.)+`.
    static func glob(_ p: [UInt8], _ s: [UInt8]) -> Bool {
        if p == [UInt8(ascii: "*")] { return true }
        if p.starts(with: Array("**.".utf8)) {
            let rest = Array(p.dropFirst(3))
            // Consume one or more whole labels, then match the rest.
            var i = 0
            while i < s.count {
                var j = i
                while j < s.count && isDNSChar(s[j]) { j += 1 }
                guard j > i, j < s.count, s[j] == UInt8(ascii: ".") else { return false }
                if glob(rest, Array(s[(j + 1)...])) { return true }
                i = j + 1
            }
            return false
        }
        func go(_ pi: Int, _ si: Int) -> Bool {
            if pi == p.count { return si == s.count }
            if p[pi] == UInt8(ascii: "*") {
                var k = si
                while true {
                    if go(pi + 1, k) { return true }
                    guard k < s.count, isDNSChar(s[k]) else { return false }
                    k += 1
                }
            }
            guard si < s.count, p[pi] == s[si] else { return false }
            return go(pi + 1, si + 1)
        }
        return go(0, 0)
    }

    public var description: String { matchName.isEmpty ? "matchPattern \(matchPattern)" : "matchName \(matchName)" }
}
