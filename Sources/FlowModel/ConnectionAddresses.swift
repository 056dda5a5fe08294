/// The node ends' addresses and the Services of every connection (edge) of a window, as the store reads them back
/// (schemas 13 and 14): `byEdge` holds the edges where a node end showed an address or a flow was addressed to a
/// Service; `unknown` the edges whose evidence includes a source ingested before schema 13, whose per-connection
/// addresses were never recorded; `servicesUnknown` likewise for Services (a source ingested before schema 14).
public struct ConnectionAddresses: Sendable, Hashable {
    public var byEdge: [EdgeKey: EdgeAddresses]
    public var unknown: Set<EdgeKey>
    public var servicesUnknown: Set<EdgeKey>

    public init(byEdge: [EdgeKey: EdgeAddresses] = [:], unknown: Set<EdgeKey> = [],
                servicesUnknown: Set<EdgeKey> = []) {
        self.byEdge = byEdge
        self.unknown = unknown
        self.servicesUnknown = servicesUnknown
    }

    /// The addresses one end (`side` 0: source, 1: destination) of `edge` showed; nil when not recorded
    /// (`unknown`).
    public func addresses(_ edge: EdgeKey, side: Int) -> Set<String>? {
        unknown.contains(edge) ? nil : byEdge[edge]?[side] ?? []
    }

    /// The Services `edge`'s flows were addressed to (empty: none); nil when not recorded (`servicesUnknown`).
    public func services(_ edge: EdgeKey) -> Set<String>? {
        servicesUnknown.contains(edge) ? nil : byEdge[edge]?.services ?? []
    }

    /// The same with every endpoint passed through `map` (edges whose ends map to one key join).
    public func mapped(_ map: (EdgeKey) -> EdgeKey) -> ConnectionAddresses {
        var out = ConnectionAddresses()
        for (k, a) in byEdge { out.byEdge[map(k), default: EdgeAddresses()].formUnion(a) }
        out.unknown = Set(unknown.map(map))
        out.servicesUnknown = Set(servicesUnknown.map(map))
        return out
    }
}
