/// Transport protocol of a flow. Only TCP, UDP and SCTP can appear in a NetworkPolicy;
/// ICMP and others are stored for the record and never turned into rules.
public enum Proto: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"
    case icmpv4 = "ICMPv4"
    case icmpv6 = "ICMPv6"
    case other = "OTHER"

    /// True for the protocols a NetworkPolicy port entry can name.
    public var isPolicyProtocol: Bool { self == .tcp || self == .udp || self == .sctp }

    /// Accepts the spellings the supported formats use ("tcp", "6", "TCP", "icmp").
    public init?(loose text: String) {
        switch text.lowercased() {
        case "tcp", "6": self = .tcp
        case "udp", "17": self = .udp
        case "sctp", "132": self = .sctp
        case "icmp", "icmpv4", "1": self = .icmpv4
        case "icmpv6", "ipv6-icmp", "58": self = .icmpv6
        default: return nil
        }
    }

    public static func < (a: Proto, b: Proto) -> Bool { a.sortIndex < b.sortIndex }
    private var sortIndex: Int { Proto.allCases.firstIndex(of: self)! }
}
