/// Aggregation key of the store: one row per (source, destination, protocol, destination port, outcome).
/// Source ports never appear: they are ephemeral.
public struct EdgeKey: Sendable, Hashable, Comparable {
    public var source: Endpoint
    public var destination: Endpoint
    public var proto: Proto
    public var port: UInt16
    public var outcome: Outcome

    public init(source: Endpoint, destination: Endpoint, proto: Proto, port: UInt16, outcome: Outcome) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.port = port
        self.outcome = outcome
    }

    /// Endpoints and port only (protocol and outcome are raw-value strings, costly to hash and rarely the only
    /// difference); equality still compares every field.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(destination)
        hasher.combine(port)
    }

    public static func < (a: EdgeKey, b: EdgeKey) -> Bool {
        if a.source != b.source { return a.source < b.source }
        if a.destination != b.destination { return a.destination < b.destination }
        if a.proto != b.proto { return a.proto < b.proto }
        if a.port != b.port { return a.port < b.port }
        return a.outcome < b.outcome
    }
}

/// Evidence for one edge.
public struct EdgeStats: Sendable, Hashable {
    /// Connections (flow events at the busiest observation point) behind the edge.
    public var flows: Int64
    /// Nanoseconds since the epoch.
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Drop reasons seen (denied edges only).
    public var dropReasons: Set<String>

    public init(flows: Int64 = 0, firstSeen: Int64 = .max, lastSeen: Int64 = .min, dropReasons: Set<String> = []) {
        self.flows = flows
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.dropReasons = dropReasons
    }

    public mutating func merge(_ o: EdgeStats) {
        flows = Counts.saturatingAdd(flows, o.flows)
        firstSeen = min(firstSeen, o.firstSeen)
        lastSeen = max(lastSeen, o.lastSeen)
        dropReasons.formUnion(o.dropReasons)
    }
}

/// Key of an L7 observation: the edge it happened on and the request.
public struct L7Key: Sendable, Hashable {
    public var edge: EdgeKey
    public var request: L7Request
    public init(edge: EdgeKey, request: L7Request) {
        self.edge = edge
        self.request = request
    }
}
