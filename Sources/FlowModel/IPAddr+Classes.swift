/// Address classes and host blocks on the typed addresses (`IPAddr`, `CIDR`): the one place FlowMap decides
/// what is private, link-local or a host's block (what `Inference`'s string helper did by text).
extension CIDR {
    /// The block of exactly one address: `/32` or `/128`.
    public init(host ip: IPAddr) {
        network = ip
        prefix = ip.bits
    }

    /// `10.0.0.1` -> `10.0.0.1/32`, `fd00::1` -> `fd00::1/128` (canonical spelling); a CIDR is kept as given,
    /// as is text that is neither (never widened into a block).
    public static func hostText(_ text: String) -> String {
        if text.contains("/") { return text }
        guard let ip = IPAddr(text) else { return text }
        return CIDR(host: ip).description
    }

    /// The private ranges an internet-facing rule excludes, per family: RFC 1918, CGNAT, loopback and link-local
    /// (IPv4); unique local and link-local (IPv6).
    public static let privateV4: [CIDR] = ["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                                           "172.16.0.0/12", "192.168.0.0/16"].map { CIDR($0)! }
    public static let privateV6: [CIDR] = ["fc00::/7", "fe80::/10"].map { CIDR($0)! }
    /// Every address of one family: the block an internet-facing rule starts from.
    public static let anyV4 = CIDR("0.0.0.0/0")!
    public static let anyV6 = CIDR("::/0")!
    static let linkLocal: [CIDR] = ["169.254.0.0/16", "fe80::/10"].map { CIDR($0)! }
    static let loopbackV6 = CIDR("::1/128")!

    /// Orders CIDR (or address) texts: IPv4 numerically first, then IPv6 by text (the order of every output).
    public static func textOrder(_ a: String, _ b: String) -> Bool { sortKey(a) < sortKey(b) }

    public static func sortKey(_ cidr: String) -> String {
        let host = cidr.split(separator: "/").first.map(String.init) ?? cidr
        if !host.contains(":"), let ip = IPAddr(host) {
            let h = String(ip.lo, radix: 16)
            return "4" + String(repeating: "0", count: max(0, 8 - h.count)) + h + cidr
        }
        return "6" + cidr
    }
}

extension IPAddr {
    /// In a private range (`CIDR.privateV4` / `privateV6`) or the IPv6 loopback `::1`.
    public var isPrivate: Bool {
        (isV6 ? CIDR.privateV6 : CIDR.privateV4).contains { $0.contains(self) } || CIDR.loopbackV6.contains(self)
    }

    /// 169.254.0.0/16 or fe80::/10 (node-local DNS listens on 169.254.20.10).
    public var isLinkLocal: Bool { CIDR.linkLocal.contains { $0.contains(self) } }

    /// `isPrivate` of an address text; false for text that is not an address.
    public static func isPrivate(_ text: String) -> Bool { IPAddr(text)?.isPrivate == true }

    /// `isLinkLocal` of an address text; false for text that is not an address.
    public static func isLinkLocal(_ text: String) -> Bool { IPAddr(text)?.isLinkLocal == true }
}
