/// Everything one ingest unit (a file, or one batch of a stream) contributes to the store, already aggregated.
/// This is the typed boundary between FlowIngest and FlowStore.
public struct IngestBatch: Sendable {
    public var edges: [EdgeKey: EdgeStats] = [:]
    public var l7: [L7Key: EdgeStats] = [:]
    /// Distinct stable label sets seen per workload endpoint (volatile labels removed).
    public var labelSets: [Endpoint: Set<String>] = [:]
    /// Namespace labels, by namespace name.
    public var namespaceLabels: [String: Labels] = [:]
    /// DNS names seen for external endpoints.
    public var names: [Endpoint: Set<String>] = [:]
    /// Pod IPs seen per workload endpoint (evidence for IP mapping of IP-only formats).
    public var addresses: [Endpoint: Set<String>] = [:]
    /// Services flows were addressed to, per destination endpoint (`namespace/name` or `namespace/name:port-name`;
    /// Calico `dest_service_*`).
    public var services: [Endpoint: Set<String>] = [:]
    /// Each edge's count and first/last seen per observation point (`direction/point`); the edge's own count is
    /// the largest. The store keeps them so that maximum holds across files (one capture per node counts once).
    /// Empty for producers that know no points: the store then takes `edges` as one point.
    public var points: [EdgeKey: [String: EdgeStats]] = [:]
    /// Ports seen listening in this unit (a SYN to it, `is_reply: false`, trace reason NEW, an answer from it),
    /// with how many flows showed it. The store adds them up across ingests (`ListeningPort`).
    public var listening: [ListeningPort: Int64] = [:]

    public init() {}

    public var isEmpty: Bool {
        edges.isEmpty && l7.isEmpty && labelSets.isEmpty && namespaceLabels.isEmpty && names.isEmpty
            && addresses.isEmpty && services.isEmpty && listening.isEmpty
    }
}

/// Line counts of one ingest unit, for the summary and the store's source record.
public struct IngestCounts: Sendable, Hashable, Codable {
    /// Lines read (non-empty).
    public var lines: Int64 = 0
    /// Lines that were flows and were taken into aggregation (including reply flows, which add no edge).
    public var accepted: Int64 = 0
    /// Lines that are valid but not flows (`node_status`, `lost_events`, NODATA ...).
    public var skipped: Int64 = 0
    /// Lines with an error.
    public var rejected: Int64 = 0
    /// Accepted flows that were replies (no edge).
    public var replies: Int64 = 0
    /// Accepted flows whose protocol cannot appear in a policy (ICMP ...).
    public var nonPolicyProtocol: Int64 = 0
    /// How often each reply rule decided, by `ReplyRule.rawValue`.
    public var replyRules: [String: Int64] = [:]
    /// Input bytes read.
    public var bytes: Int64 = 0
    /// Flows whose direction nothing decided (`ReplyRule.undecided`), by a readable key
    /// (`src:port -> dst:port PROTO: no edge|treated as forward`), at most `unorientedLimit` keys; the rest are
    /// counted under `unorientedOther`.
    public var unoriented: [String: Int64] = [:]
    public var unorientedOther: Int64 = 0
    public static let unorientedLimit = 50

    public init() {}

    public mutating func noteUnoriented(_ key: String, _ n: Int64) {
        if unoriented[key] != nil || unoriented.count < Self.unorientedLimit {
            unoriented[key, default: 0] += n
        } else {
            unorientedOther += n
        }
    }

    public mutating func add(_ o: IngestCounts) {
        lines += o.lines
        accepted += o.accepted
        skipped += o.skipped
        rejected += o.rejected
        replies += o.replies
        nonPolicyProtocol += o.nonPolicyProtocol
        bytes += o.bytes
        for (k, v) in o.replyRules { replyRules[k, default: 0] += v }
        for k in o.unoriented.keys.sorted() { noteUnoriented(k, o.unoriented[k]!) }
        unorientedOther += o.unorientedOther
    }
}
