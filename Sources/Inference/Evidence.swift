import FlowModel

/// Everything inference reads: the store's aggregated edges and what is known about each endpoint.
public struct Evidence: Sendable {
    public var edges: [ObservedEdge]
    public var l7: [EdgeKey: [L7Observation]]
    /// Distinct stable label sets per workload (all pods known, observed or from an inventory).
    public var labelSets: [Endpoint: [Labels]]
    public var namespaceLabels: [String: Labels]
    /// DNS names per external endpoint.
    public var names: [Endpoint: [String]]
    /// Addresses per endpoint (pod IPs; kube-apiserver / node addresses for reserved entities).
    public var addresses: [Endpoint: [String]]

    public init(edges: [ObservedEdge], l7: [EdgeKey: [L7Observation]] = [:], labelSets: [Endpoint: [Labels]] = [:],
                namespaceLabels: [String: Labels] = [:], names: [Endpoint: [String]] = [:],
                addresses: [Endpoint: [String]] = [:]) {
        self.edges = edges
        self.l7 = l7
        self.labelSets = labelSets
        self.namespaceLabels = namespaceLabels
        self.names = names
        self.addresses = addresses
    }
}

/// Knobs of inference.
public struct InferenceOptions: Sendable {
    /// Only edges seen inside [since, until] (nanoseconds; an edge counts when its first/last-seen window overlaps).
    public var since: Int64?
    public var until: Int64?
    /// Edges with fewer flows are left out (reported as skipped).
    public var minFlows: Int64 = 1
    /// Generate policies only for these namespaces (empty: all).
    public var namespaces: Set<String> = []
    public var excludeNamespaces: Set<String> = []
    /// Distinct internet sources on one port at which one `0.0.0.0/0` rule replaces the /32s.
    public var internetThreshold: Int = 16

    public init() {}
}
