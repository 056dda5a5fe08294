/// Just enough IP handling for ipBlocks: family detection, host CIDRs and private ranges.
public enum IPAddress {
    public static func isIPv6(_ s: String) -> Bool { s.contains(":") }

    /// `10.0.0.1` -> `10.0.0.1/32`, `fd00::1` -> `fd00::1/128`; an existing prefix is kept.
    public static func hostCIDR(_ s: String) -> String {
        if s.contains("/") { return s }
        return isIPv6(s) ? "\(s)/128" : "\(s)/32"
    }

    /// Dotted IPv4 to its 32-bit value, nil when not IPv4 (parsed by FlowModel's `IPAddr`, the one parser).
    public static func v4(_ s: String) -> UInt32? {
        guard !s.contains(":"), let ip = IPAddr(s) else { return nil }
        return UInt32(truncatingIfNeeded: ip.lo)
    }

    /// True for RFC 1918, loopback, link-local, CGNAT (IPv4) and ULA / link-local / loopback (IPv6).
    public static func isPrivate(_ s: String) -> Bool {
        if let v = v4(s) {
            return v >> 24 == 10 || v >> 20 == 0xAC1 || v >> 16 == 0xC0A8 || v >> 24 == 127 || v >> 16 == 0xA9FE
                || v >> 22 == 0x191  // 100.64.0.0/10
        }
        let l = s.lowercased()
        return l.hasPrefix("fc") || l.hasPrefix("fd") || l.hasPrefix("fe8") || l.hasPrefix("fe9")
            || l.hasPrefix("fea") || l.hasPrefix("feb") || l == "::1"
    }

    /// The private ranges excluded from an internet-facing rule, per family.
    public static let privateV4 = ["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                                   "192.168.0.0/16"]
    public static let privateV6 = ["fc00::/7", "fe80::/10"]

    /// Sorts IPv4 numerically before IPv6 (textually).
    public static func sortKey(_ cidr: String) -> String {
        let host = cidr.split(separator: "/").first.map(String.init) ?? cidr
        if let v = v4(host) {
            let h = String(v, radix: 16)
            return "4" + String(repeating: "0", count: 8 - h.count) + h + cidr
        }
        return "6" + cidr
    }
}

extension IPAddress {
    /// 169.254.0.0/16 or fe80::/10 (node-local DNS listens on 169.254.20.10).
    public static func isLinkLocal(_ s: String) -> Bool {
        if let v = v4(s) { return v >> 16 == 0xA9FE }
        let l = s.lowercased()
        return l.hasPrefix("fe8") || l.hasPrefix("fe9") || l.hasPrefix("fea") || l.hasPrefix("feb")
    }
}
