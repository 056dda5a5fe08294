/// What one connection showed beyond its two endpoints, per edge, bucket and source:
/// - the addresses observed for its node ends (schema 13, `edge_bucket_addresses`): a `reserved:host` /
///   `reserved:remote-node` end, or a host-network pod (its node's address), so a rule admits only the node
///   addresses seen on that workload's own connections (issue 23), not every address seen for the peer;
/// - the Services its flows were addressed to (schema 14, `edge_bucket_services`, `namespace/name[:port-name]`), so
///   a rule names (and `--services` writes) only the Services its own connections went through.
public struct EdgeAddresses: Sendable, Hashable {
    public var source: Set<String>
    public var destination: Set<String>
    public var services: Set<String>

    public init(source: Set<String> = [], destination: Set<String> = [], services: Set<String> = []) {
        self.source = source
        self.destination = destination
        self.services = services
    }

    /// 0: the source end, 1: the destination end (the store's `side` column).
    public subscript(side: Int) -> Set<String> {
        get { side == 0 ? source : destination }
        set { if side == 0 { source = newValue } else { destination = newValue } }
    }

    public var isEmpty: Bool { source.isEmpty && destination.isEmpty && services.isEmpty }

    public mutating func formUnion(_ o: EdgeAddresses) {
        source.formUnion(o.source)
        destination.formUnion(o.destination)
        services.formUnion(o.services)
    }

    /// Whether a flow end's address is kept per connection: a node entity, or a host-network pod.
    public static func records(_ endpoint: Endpoint, hostNetwork: Bool) -> Bool {
        hostNetwork || endpoint.reservedEntity.map(ReservedEntity.nodes.contains) == true
    }
}
