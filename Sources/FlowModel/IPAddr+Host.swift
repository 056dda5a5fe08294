/// Reading one host address out of capture text: the single canonical spelling every reader stores, so one
/// address is one peer (and one `/32`) however a producer wrote it.
///
/// Accepted and canonicalised: IPv6 in any case and with or without `::` (written lower case, RFC 5952
/// compressed), IPv4-mapped IPv6 (`::ffff:1.2.3.4` is `1.2.3.4`), a zone id on an IPv6 address
/// (`fe80::1%eth0` is `fe80::1`: a NetworkPolicy cannot name an interface). Rejected: anything that is not
/// exactly one address (`0.0.0.0/0`, `10.0.0.1/32`, `hello world`, empty), the unspecified addresses `0.0.0.0`
/// and `::`, and IPv4 with leading zeros (`01.2.3.4`: octal to some tools, decimal to others).
extension IPAddr {
    public struct HostError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Longest text looked at (the longest IPv6 spelling with an IPv4 tail and a zone id fits easily).
    static let maxHostText = 96

    /// Parses `text` as exactly one host address, or says why it is not one.
    public static func host(_ text: String) -> Result<IPAddr, HostError> {
        func fail(_ why: String) -> Result<IPAddr, HostError> {
            .failure(HostError(description: "\(why): \(quoted(text))"))
        }
        guard !text.isEmpty else { return .failure(HostError(description: "empty; expected one IP address")) }
        guard text.utf8.count <= maxHostText else { return fail("too long for an IP address") }
        if text.contains("/") { return fail("a CIDR prefix, not one host address; give the address itself") }
        var addr = Substring(text)
        if let pct = text.firstIndex(of: "%") {
            let zone = text[text.index(after: pct)...]
            guard !zone.isEmpty, zone.utf8.allSatisfy({ KubernetesLabel.isAlnum($0) || $0 == 45 || $0 == 46 || $0 == 95 })
            else { return fail("not an IP address (bad zone id)") }
            addr = text[..<pct]
            guard addr.contains(":") else { return fail("a zone id is only valid on an IPv6 address") }
        }
        guard addr.utf8.allSatisfy({ KubernetesLabel.isAlnum($0) || $0 == 58 || $0 == 46 }) else {
            return fail("not an IP address")
        }
        if !addr.contains(":") {
            let parts = addr.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 4, parts.contains(where: { $0.count > 1 && $0.first == "0" }),
               parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
                return fail("IPv4 with a leading zero is ambiguous (octal to some tools); write it without")
            }
        }
        guard var ip = IPAddr(String(addr)) else { return fail("not an IPv4 or IPv6 address") }
        if ip.isV6, ip.hi == 0, ip.lo >> 32 == 0xffff { ip = IPAddr(v4: UInt32(truncatingIfNeeded: ip.lo)) }
        if ip.hi == 0 && ip.lo == 0 { return fail("the unspecified address, not a host") }
        return .success(ip)
    }

    /// The canonical text of one host address (`IPAddr.description`), or why `text` is not one.
    public static func canonicalHost(_ text: String) -> Result<String, HostError> {
        host(text).map(\.description)
    }

    /// `text` in quotes with control characters escaped, safe to print in an error message.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        let scalars = text.unicodeScalars
        for u in scalars.prefix(120) {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + (scalars.count > 120 ? "…\"" : "\"")
    }
}
