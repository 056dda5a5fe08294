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
    /// Flows with an address no inventory knew (IP-only formats), for `flowmap remap`.
    public var unmapped: [UnmappedFlow] = []
    /// Flow events to remember for `--dedupe-window` (empty without it), and the window to prune the store to.
    public var seenFlows: [SeenFlow] = []
    public var dedupeWindow: Int64?
    /// Each edge's count and first/last seen per time bucket and observation point (`direction/point`); the
    /// edge's count in a bucket is its busiest point's there, and `edges` is the sum over buckets. The store keeps
    /// them so that maximum holds across files (one capture per node counts once). Empty for producers that know
    /// no buckets or points: the store then puts each of `edges` into the bucket of its first seen, as one point.
    public var points: [BucketedEdge: [String: EdgeStats]] = [:]
    /// Each edge's evidence per bucket: the busiest point's count, first/last seen, drop reasons.
    public var buckets: [BucketedEdge: EdgeStats] = [:]
    /// L7 requests per edge and bucket (`l7` is the sum over buckets).
    public var bucketL7: [BucketedEdge: [L7Request: EdgeStats]] = [:]
    /// The node ends' addresses and the Services per edge and bucket (`EdgeAddresses`). A batch without `points`
    /// puts them into the bucket of the edge's first seen, as its counts.
    public var edgeAddresses: [BucketedEdge: EdgeAddresses] = [:]
    /// Ports seen listening in this unit (a SYN to it, `is_reply: false`, trace reason NEW, an answer from it),
    /// with how many flows showed it. The store adds them up across ingests (`ListeningPort`).
    public var listening: [ListeningPort: Int64] = [:]

    public init() {}

    public var isEmpty: Bool {
        edges.isEmpty && l7.isEmpty && labelSets.isEmpty && namespaceLabels.isEmpty && names.isEmpty
            && addresses.isEmpty && services.isEmpty && listening.isEmpty
    }

    /// The batch's evidence per bucket of a store of `width`: points, drop reasons and L7 per bucketed edge.
    /// A batch without buckets (built by hand, or an inventory) puts each edge and its L7 into the bucket of the
    /// edge's first seen, as one point `""`; buckets of another width are floored to `width` and added up.
    public func bucketed(width: Int64) -> BucketedEvidence {
        var out = BucketedEvidence()
        if points.isEmpty {
            for (k, s) in edges {
                let b = BucketedEdge(edge: k, bucket: TimeBucket.start(s.firstSeen, width: width))
                out.points[b, default: [:]]["", default: EdgeStats()].merge(EdgeStats(flows: s.flows, firstSeen: s.firstSeen,
                                                                                     lastSeen: s.lastSeen))
                if !s.dropReasons.isEmpty { out.dropReasons[b, default: []].formUnion(s.dropReasons) }
            }
        } else if points.allSatisfy({ !$0.value.isEmpty && TimeBucket.start($0.key.bucket, width: width) == $0.key.bucket }) {
            // Buckets of this width already (an aggregator's batch for this store): each key stays as it is, so
            // the maps are handed on instead of rebuilt (one hash of two endpoints per key saved, issue 22).
            out.points = points
            for (k, s) in buckets where !s.dropReasons.isEmpty { out.dropReasons[k] = s.dropReasons }
        } else {
            for (k, byPoint) in points {
                let b = BucketedEdge(edge: k.edge, bucket: TimeBucket.start(k.bucket, width: width))
                for (p, s) in byPoint { out.points[b, default: [:]][p, default: EdgeStats()].merge(s) }
            }
            for (k, s) in buckets where !s.dropReasons.isEmpty {
                let b = BucketedEdge(edge: k.edge, bucket: TimeBucket.start(k.bucket, width: width))
                out.dropReasons[b, default: []].formUnion(s.dropReasons)
            }
        }
        for (k, a) in edgeAddresses where !a.isEmpty {
            let start = points.isEmpty ? edges[k.edge]?.firstSeen ?? k.bucket : k.bucket
            out.addresses[BucketedEdge(edge: k.edge, bucket: TimeBucket.start(start, width: width)), default: EdgeAddresses()]
                .formUnion(a)
        }
        if bucketL7.isEmpty {
            for (k, s) in l7 {
                let first = edges[k.edge]?.firstSeen ?? s.firstSeen
                let b = BucketedEdge(edge: k.edge, bucket: TimeBucket.start(first, width: width))
                out.l7[b, default: [:]][k.request, default: EdgeStats()].merge(s)
            }
        } else {
            for (k, byRequest) in bucketL7 {
                let b = BucketedEdge(edge: k.edge, bucket: TimeBucket.start(k.bucket, width: width))
                for (r, s) in byRequest { out.l7[b, default: [:]][r, default: EdgeStats()].merge(s) }
            }
        }
        return out
    }
}

/// What the store writes of a batch, per bucketed edge (`IngestBatch.bucketed(width:)`).
public struct BucketedEvidence: Sendable {
    public var points: [BucketedEdge: [String: EdgeStats]] = [:]
    public var dropReasons: [BucketedEdge: Set<String>] = [:]
    public var l7: [BucketedEdge: [L7Request: EdgeStats]] = [:]
    public var addresses: [BucketedEdge: EdgeAddresses] = [:]
    public init() {}

    /// Earliest first seen and latest last seen of the edges (nil without edges).
    public var span: (first: Int64, last: Int64)? {
        var first = Int64.max, last = Int64.min
        for byPoint in points.values {
            for s in byPoint.values {
                first = min(first, s.firstSeen)
                last = max(last, s.lastSeen)
            }
        }
        return first <= last ? (first, last) : nil
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
    /// Flow events dropped by `--dedupe-window` as already stored (not in `accepted`).
    public var duplicates: Int64 = 0
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
        duplicates += o.duplicates
        for (k, v) in o.replyRules { replyRules[k, default: 0] += v }
        for k in o.unoriented.keys.sorted() { noteUnoriented(k, o.unoriented[k]!) }
        unorientedOther += o.unorientedOther
    }
}
