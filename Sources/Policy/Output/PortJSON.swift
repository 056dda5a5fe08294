import FlowModel

/// A port range in JSON reports: `{"protocol": "TCP", "port": 80, "end_port": 80}` (one port: end_port = port).
struct PortJSON: Encodable, Hashable {
    var `protocol`: String
    var port: Int
    var end_port: Int

    init(_ proto: String, _ port: Int, _ end: Int) {
        self.protocol = proto
        self.port = port
        self.end_port = end
    }

    /// Every range of a connection set, by protocol then port.
    static func ranges(_ c: ConnectionSet) -> [PortJSON] {
        ConnectionSet.protocols.flatMap { p in c[p].ranges.map { PortJSON(p.rawValue, $0.lowerBound, $0.upperBound) } }
    }
}
