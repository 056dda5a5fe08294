import FlowModel

/// A port range in every verb's JSON: `{"protocol": "TCP", "port": 80, "end_port": 80}` (one port: end_port =
/// port; a protocol without ports, ICMP: both 0).
public struct PortJSON: Encodable, Hashable, Sendable {
    public var `protocol`: String
    public var port: Int
    public var end_port: Int

    public init(_ proto: String, _ port: Int, _ end: Int) {
        self.protocol = proto
        self.port = port
        self.end_port = end
    }

    /// One observed port.
    public init(_ proto: Proto, _ port: Int) { self.init(proto.rawValue, port, port) }

    /// Every range of a connection set, by protocol then port.
    static func ranges(_ c: ConnectionSet) -> [PortJSON] {
        ConnectionSet.protocols.flatMap { p in c[p].ranges.map { PortJSON(p.rawValue, $0.lowerBound, $0.upperBound) } }
    }
}
