/// The addresses observed for the node ends of one connection (schema 13, `edge_bucket_addresses`): a
/// `reserved:host` / `reserved:remote-node` end, or a host-network pod (its node's address). Kept per edge, bucket
/// and source, so a rule admits only the node addresses seen on that workload's own connections (issue 23), not
/// every address seen for the peer anywhere in the capture.
public struct EdgeAddresses: Sendable, Hashable {
    public var source: Set<String>
    public var destination: Set<String>

    public init(source: Set<String> = [], destination: Set<String> = []) {
        self.source = source
        self.destination = destination
    }

    /// 0: the source end, 1: the destination end (the store's `side` column).
    public subscript(side: Int) -> Set<String> {
        get { side == 0 ? source : destination }
        set { if side == 0 { source = newValue } else { destination = newValue } }
    }

    public var isEmpty: Bool { source.isEmpty && destination.isEmpty }

    public mutating func formUnion(_ o: EdgeAddresses) {
        source.formUnion(o.source)
        destination.formUnion(o.destination)
    }

    /// Whether a flow end's address is kept per connection: a node entity, or a host-network pod.
    public static func records(_ endpoint: Endpoint, hostNetwork: Bool) -> Bool {
        hostNetwork || endpoint.reservedEntity.map(ReservedEntity.nodes.contains) == true
    }
}
