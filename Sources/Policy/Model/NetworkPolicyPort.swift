import FlowModel

/// NetworkPolicyPort after defaulting: protocol TCP when omitted (F1), no port = all ports of the protocol (F2).
public struct NetworkPolicyPort: Sendable, Hashable {
    public enum Port: Sendable, Hashable {
        case number(Int)
        case name(String)
    }

    public var proto: Proto
    public var port: Port?
    /// Inclusive end of a numeric range (F4); only with a numeric `port`.
    public var endPort: Int?

    public init(proto: Proto = .tcp, port: Port? = nil, endPort: Int? = nil) {
        self.proto = proto
        self.port = port
        self.endPort = endPort
    }
}
