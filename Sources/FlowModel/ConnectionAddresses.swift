/// The node ends' addresses of every connection (edge) of a window, as the store reads them back (schema 13):
/// `byEdge` holds the edges where a node end showed an address; `unknown` the edges whose evidence includes a
/// source ingested before schema 13, whose per-connection addresses were never recorded.
public struct ConnectionAddresses: Sendable, Hashable {
    public var byEdge: [EdgeKey: EdgeAddresses]
    public var unknown: Set<EdgeKey>

    public init(byEdge: [EdgeKey: EdgeAddresses] = [:], unknown: Set<EdgeKey> = []) {
        self.byEdge = byEdge
        self.unknown = unknown
    }

    /// The addresses one end (`side` 0: source, 1: destination) of `edge` showed; nil when not recorded
    /// (`unknown`).
    public func addresses(_ edge: EdgeKey, side: Int) -> Set<String>? {
        unknown.contains(edge) ? nil : byEdge[edge]?[side] ?? []
    }

    /// The same with every endpoint passed through `map` (edges whose ends map to one key join).
    public func mapped(_ map: (EdgeKey) -> EdgeKey) -> ConnectionAddresses {
        var out = ConnectionAddresses()
        for (k, a) in byEdge { out.byEdge[map(k), default: EdgeAddresses()].formUnion(a) }
        out.unknown = Set(unknown.map(map))
        return out
    }
}
