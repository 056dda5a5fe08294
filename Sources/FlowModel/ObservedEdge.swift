/// An aggregated edge as read back from the store: the evidence inference works from.
public struct ObservedEdge: Sendable, Hashable {
    public var key: EdgeKey
    public var stats: EdgeStats
    public init(key: EdgeKey, stats: EdgeStats) {
        self.key = key
        self.stats = stats
    }
}

/// One L7 request kind seen on an edge, with its evidence.
public struct L7Observation: Sendable, Hashable {
    public var request: L7Request
    public var stats: EdgeStats
    public init(request: L7Request, stats: EdgeStats) {
        self.request = request
        self.stats = stats
    }
}

