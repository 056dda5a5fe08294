/// An IPv4 or IPv6 address as a 128-bit number (IPv4 in the low 32 bits). Ordered by family, then value.
public struct IPAddr: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var isV6: Bool
    public var hi: UInt64
    public var lo: UInt64

    public init(isV6: Bool, hi: UInt64, lo: UInt64) {
        self.isV6 = isV6
        self.hi = hi
        self.lo = lo
    }

    public init(v4: UInt32) { self.init(isV6: false, hi: 0, lo: UInt64(v4)) }

    /// Number of address bits of the family.
    public var bits: Int { isV6 ? 128 : 32 }

    public static func < (a: IPAddr, b: IPAddr) -> Bool {
        if a.isV6 != b.isV6 { return !a.isV6 }
        if a.hi != b.hi { return a.hi < b.hi }
        return a.lo < b.lo
    }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail). Nil when malformed.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let v = IPAddr.parseV6(text) else { return nil }
            self = v
        } else {
            guard let v = IPAddr.parseV4(Substring(text)) else { return nil }
            self.init(v4: v)
        }
    }

    static func parseV4(_ s: Substring) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0 >= "0" && $0 <= "9" }), let n = UInt32(p), n <= 255
            else { return nil }
            if p.count > 1 && p.first == "0" { return nil }  // leading zeros are ambiguous (octal)
            v = v << 8 | n
        }
        return v
    }

    static func parseV6(_ s: String) -> IPAddr? {
        var groups: [UInt16] = []
        var tailGroups: [UInt16] = []
        var sawGap = false
        // Split at "::" (at most one), without Foundation.
        var halves: [String] = []
        var rest = Substring(s)
        while let i = rest.firstRange(of: "::") {
            halves.append(String(rest[..<i.lowerBound]))
            rest = rest[i.upperBound...]
        }
        halves.append(String(rest))
        guard halves.count <= 2 else { return nil }
        func parseHalf(_ h: String, allowV4Tail: Bool) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = h.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if i == parts.count - 1 && allowV4Tail && p.contains(".") {
                    guard let v4 = parseV4(p) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xffff))
                } else {
                    // Hex digits only: `UInt16(_:radix:)` alone also takes a sign (`+1::`, `-0::`).
                    guard !p.isEmpty, p.count <= 4, p.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }),
                          let n = UInt16(p, radix: 16) else { return nil }
                    out.append(n)
                }
            }
            return out
        }
        if halves.count == 2 {
            sawGap = true
            guard let a = parseHalf(halves[0], allowV4Tail: false), let b = parseHalf(halves[1], allowV4Tail: true)
            else { return nil }
            groups = a
            tailGroups = b
            guard groups.count + tailGroups.count <= 7 else { return nil }
        } else {
            guard let a = parseHalf(halves[0], allowV4Tail: true) else { return nil }
            groups = a
            guard groups.count == 8 else { return nil }
        }
        if sawGap {
            groups += [UInt16](repeating: 0, count: 8 - groups.count - tailGroups.count) + tailGroups
        }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(groups[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(groups[i]) }
        return IPAddr(isV6: true, hi: hi, lo: lo)
    }

    public var description: String {
        if !isV6 {
            let v = UInt32(truncatingIfNeeded: lo)
            return "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)"
        }
        var g: [UInt16] = []
        for i in (0..<4).reversed() { g.append(UInt16(truncatingIfNeeded: hi >> (UInt64(i) * 16))) }
        for i in (0..<4).reversed() { g.append(UInt16(truncatingIfNeeded: lo >> (UInt64(i) * 16))) }
        // Longest run of zero groups (length >= 2) becomes "::".
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ r: ArraySlice<UInt16>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(g[...]) }
        return hex(g[..<bestStart]) + "::" + hex(g[(bestStart + bestLen)...])
    }

    /// The address plus one, nil on overflow of the family's range.
    public var successor: IPAddr? {
        if !isV6 { return lo >= 0xffff_ffff ? nil : IPAddr(v4: UInt32(lo + 1)) }
        if lo == .max { return hi == .max ? nil : IPAddr(isV6: true, hi: hi + 1, lo: 0) }
        return IPAddr(isV6: true, hi: hi, lo: lo + 1)
    }

    /// The address minus one, nil below zero.
    public var predecessor: IPAddr? {
        if lo == 0 {
            if !isV6 || hi == 0 { return nil }
            return IPAddr(isV6: true, hi: hi - 1, lo: .max)
        }
        return IPAddr(isV6: isV6, hi: hi, lo: lo - 1)
    }

    public static let v4Min = IPAddr(v4: 0)
    public static let v4Max = IPAddr(v4: .max)
    public static let v6Min = IPAddr(isV6: true, hi: 0, lo: 0)
    public static let v6Max = IPAddr(isV6: true, hi: .max, lo: .max)
}
