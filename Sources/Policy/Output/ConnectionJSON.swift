/// An observed connection as every verb's JSON names it (`check` and `watch` items, `summary`'s denied flows,
/// `map`'s evidence): its ends, the port as `{"protocol", "port", "end_port"}`, the flows, and when it was first and
/// last seen (absent only for a connection never observed, `map`'s allowed-unobserved edges). A verb's own keys sit
/// beside these (`Merged`).
public struct ConnectionJSON: Encodable, Sendable {
    public var source: String
    public var destination: String
    public var port: PortJSON
    public var flows: Int64
    public var first_seen: String?
    public var last_seen: String?

    public init(source: String, destination: String, port: PortJSON, flows: Int64, firstSeen: String?,
                lastSeen: String?) {
        self.source = source
        self.destination = destination
        self.port = port
        self.flows = flows
        first_seen = firstSeen
        last_seen = lastSeen
    }

    /// The connection of a `check` item.
    public init(_ i: PolicyCheck.Item) {
        self.init(source: i.source, destination: i.destination, port: PortJSON(i.proto, i.port, i.port), flows: i.flows,
                  firstSeen: i.firstSeen, lastSeen: i.lastSeen)
    }
}
