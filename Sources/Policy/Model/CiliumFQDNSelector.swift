import FlowModel

/// `toFQDNs[]` and `rules.dns[]`: `matchName` (exact, case-insensitive, trailing dot ignored) or
/// `matchPattern` (`*` alone: every name; `*` within a name: any run of DNS characters within one label;
/// `**.`: one or more labels), CF1-CF3.
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

    /// Cilium's matchpattern.ToAnchoredRegexp: `*` or `**` alone is every name; `**.` is one or more whole
    /// labels; `*` is `[-a-zA-Z0-9_]*` (never a dot); everything else is literal.
    static func glob(_ p: [UInt8], _ s: [UInt8]) -> Bool {
        let pattern = String(decoding: p, as: UTF8.self)
        if pattern == "*" || pattern == "**" { return true }
        let dnsChar = "[-a-zA-Z0-9_]"
        var re = ""
        var rest = Substring(pattern)
        while let c = rest.first {
            if rest.hasPrefix("**.") {
                re += "(\(dnsChar)+\\.)+"
                rest = rest.dropFirst(3)
            } else if c == "*" {
                re += "\(dnsChar)*"
                rest = rest.dropFirst()
            } else {
                re += c == "." ? "\\." : (c.isLetter || c.isNumber || c == "-" || c == "_" ? String(c) : "\\\(c)")
                rest = rest.dropFirst()
            }
        }
        guard let regex = try? Regex(re) else { return false }
        return (try? regex.wholeMatch(in: String(decoding: s, as: UTF8.self))) != nil
    }

    public var description: String { matchName.isEmpty ? "matchPattern \(matchPattern)" : "matchName \(matchName)" }
}
