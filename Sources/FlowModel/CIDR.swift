/// A CIDR block, `10.0.0.0/8` or `2001:db8::/32`. Host bits after the prefix are cleared on parse
/// (the API server accepts them).
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public var network: IPAddr
    public var prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPAddr(String(parts[0])), !parts[1].isEmpty,
              parts[1].allSatisfy({ $0 >= "0" && $0 <= "9" }), parts[1].count <= 3, let p = Int(parts[1]),
              p <= ip.bits
        else { return nil }
        prefix = p
        network = CIDR.mask(ip, prefix: p)
    }

    static func mask(_ ip: IPAddr, prefix p: Int) -> IPAddr {
        if !ip.isV6 {
            let m: UInt64 = p == 0 ? 0 : (0xffff_ffff << UInt64(32 - p)) & 0xffff_ffff
            return IPAddr(isV6: false, hi: 0, lo: ip.lo & m)
        }
        let hiMask: UInt64 = p >= 64 ? .max : (p == 0 ? 0 : ~UInt64(0) << UInt64(64 - p))
        let loMask: UInt64 = p <= 64 ? 0 : (p == 128 ? .max : ~UInt64(0) << UInt64(128 - p))
        return IPAddr(isV6: true, hi: ip.hi & hiMask, lo: ip.lo & loMask)
    }

    public var range: IPRange {
        let hostBits = network.bits - prefix
        if !network.isV6 {
            let size: UInt64 = hostBits == 32 ? 0xffff_ffff : (UInt64(1) << UInt64(hostBits)) - 1
            return IPRange(first: network, last: IPAddr(isV6: false, hi: 0, lo: network.lo | size))
        }
        let loFill: UInt64 = hostBits >= 64 ? .max : (hostBits == 0 ? 0 : (UInt64(1) << UInt64(hostBits)) - 1)
        let hiFill: UInt64 = hostBits <= 64 ? 0 : (hostBits == 128 ? .max : (UInt64(1) << UInt64(hostBits - 64)) - 1)
        return IPRange(first: network, last: IPAddr(isV6: true, hi: network.hi | hiFill, lo: network.lo | loFill))
    }

    public func contains(_ ip: IPAddr) -> Bool { range.contains(ip) }

    public var description: String { "\(network)/\(prefix)" }
}
