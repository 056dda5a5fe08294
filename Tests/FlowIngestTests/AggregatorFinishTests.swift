import FlowModel
import TestSupport
import Testing
@testable import FlowIngest

/// `FlowAggregator`'s batch (`finish`, which groups point entries by interned ids since issue 22) against a
/// direct fold of the same flows: per (edge, bucket, point) the sums, per (edge, bucket) the busiest point and
/// the union of drop reasons, per edge the sum over buckets; L7 and unmapped addresses on the same keys; and
/// `IngestBatch.bucketed` (handed on as is when the buckets already have the store's width) against its
/// general re-bucketing.
@Suite struct AggregatorFinishTests {
    struct Ref {
        var points: [BucketedEdge: [String: EdgeStats]] = [:]
        var reasons: [BucketedEdge: Set<String>] = [:]
        /// L7 per (edge, bucket, point): the bucket's count of a request is its busiest point's, like the edge's.
        var l7: [BucketedEdge: [String: [L7Request: EdgeStats]]] = [:]
        var unmapped: [String: EdgeStats] = [:]
    }

    static func flows(seed: UInt64, count: Int) -> [Flow] {
        var rng = SplitMix64(seed: seed)
        let eps: [FlowPeer] = (0..<6).map { i in
            i < 4 ? FlowPeer(endpoint: .workload("ns\(i % 2)", "w\(i)", kind: "Deployment"), ip: "10.0.0.\(i + 1)")
                : FlowPeer(endpoint: .external("192.0.2.\(i)"), ip: "192.0.2.\(i)")
        }
        var out: [Flow] = []
        for _ in 0..<count {
            let s = eps[Int.random(in: 0..<eps.count, using: &rng)]
            let d = eps[Int.random(in: 0..<eps.count, using: &rng)]
            let denied = Int.random(in: 0..<4, using: &rng) == 0
            var f = Flow(time: Int64.random(in: 0..<(3 * TimeBucket.defaultWidth), using: &rng),
                         source: s, destination: d, proto: Bool.random(using: &rng) ? .tcp : .udp,
                         sourcePort: 40000, destinationPort: [80, 443, 5432][Int.random(in: 0..<3, using: &rng)],
                         verdict: denied ? .dropped : .forwarded,
                         dropReason: denied ? ["POLICY_DENIED", "CT_UNKNOWN", "AUTH"][Int.random(in: 0..<3, using: &rng)] : "",
                         direction: Bool.random(using: &rng) ? .egress : .ingress,
                         observationPoint: "node\(Int.random(in: 0..<3, using: &rng))", isReply: false,
                         weight: Int64.random(in: 1...5, using: &rng),
                         l7: Int.random(in: 0..<3, using: &rng) == 0 ? .http(method: "GET", path: "/p\(Int.random(in: 0..<2, using: &rng))") : nil)
            f.endTime = Bool.random(using: &rng) ? f.time + Int64.random(in: 0...1000, using: &rng) : nil
            f.unknownSides = (s.endpoint.kind == .external ? UnmappedFlow.sourceUnknown : 0)
                | (d.endpoint.kind == .external ? UnmappedFlow.destinationUnknown : 0)
            out.append(f)
        }
        return out
    }

    static func fold(_ flows: [Flow]) -> Ref {
        var r = Ref()
        for f in flows {
            let e = EdgeKey(source: f.source.endpoint, destination: f.destination.endpoint, proto: f.proto,
                            port: f.destinationPort, outcome: f.verdict.outcome)
            let b = BucketedEdge(edge: e, bucket: TimeBucket.start(f.time, width: TimeBucket.defaultWidth))
            let point = "\(f.direction.rawValue)/\(f.observationPoint)"
            let one = EdgeStats(flows: f.weight, firstSeen: f.time, lastSeen: max(f.time, f.endTime ?? .min))
            r.points[b, default: [:]][point, default: EdgeStats()].merge(one)
            if !f.dropReason.isEmpty { r.reasons[b, default: []].insert(f.dropReason) }
            if let l7 = f.l7 { r.l7[b, default: [:]][point, default: [:]][l7, default: EdgeStats()].merge(one) }
            if f.unknownSides != 0 {
                r.unmapped["\(f.unknownSides) \(f.source.ip) \(f.destination.ip) \(b) \(point)", default: EdgeStats()].merge(one)
            }
        }
        return r
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func batchEqualsDirectFold(seed: UInt64) {
        let flows = Self.flows(seed: seed, count: 3000)
        var agg = FlowAggregator()
        for f in flows { agg.add(f) }
        let (b, _) = agg.take()
        let ref = Self.fold(flows)
        #expect(b.points == ref.points, "b.points: \(b.points.count) keys")
        var buckets: [BucketedEdge: EdgeStats] = [:]
        var edges: [EdgeKey: EdgeStats] = [:]
        for (k, byPoint) in ref.points {
            var s = EdgeStats(dropReasons: ref.reasons[k] ?? [])
            for p in byPoint.values {
                s.flows = max(s.flows, p.flows)
                s.firstSeen = min(s.firstSeen, p.firstSeen)
                s.lastSeen = max(s.lastSeen, p.lastSeen)
            }
            buckets[k] = s
            edges[k.edge, default: EdgeStats()].merge(s)
        }
        #expect(b.buckets == buckets, "b.buckets: \(b.buckets.count) keys")
        #expect(b.edges == edges, "b.edges: \(b.edges.count) keys")
        var l7: [BucketedEdge: [L7Request: EdgeStats]] = [:]
        for (k, byPoint) in ref.l7 {
            for byRequest in byPoint.values {
                for (request, p) in byRequest {
                    var s = l7[k]?[request] ?? EdgeStats()
                    s.flows = max(s.flows, p.flows)
                    s.firstSeen = min(s.firstSeen, p.firstSeen)
                    s.lastSeen = max(s.lastSeen, p.lastSeen)
                    l7[k, default: [:]][request] = s
                }
            }
        }
        #expect(b.bucketL7 == l7, "bucketL7: \(b.bucketL7.count) keys, expected \(l7.count)")
        var unmapped: [String: EdgeStats] = [:]
        for u in b.unmapped {
            unmapped["\(u.sides) \(u.sourceIP) \(u.destinationIP) \(u.edge) \(u.point)", default: EdgeStats()].merge(u.stats)
        }
        #expect(unmapped == ref.unmapped, "unmapped: \(unmapped.count) keys")
        #expect(b.unmapped.count == ref.unmapped.count)
        #expect(!b.unmapped.isEmpty && !b.bucketL7.isEmpty && buckets.values.contains { $0.dropReasons.count > 1 })
    }

    /// The general re-bucketing of `bucketed(width:)`, written out (what it did before the as-is hand-on).
    static func rebucket(_ batch: IngestBatch, width: Int64) -> BucketedEvidence {
        var out = BucketedEvidence()
        for (k, byPoint) in batch.points {
            let b = BucketedEdge(edge: k.edge, bucket: TimeBucket.start(k.bucket, width: width))
            for (p, s) in byPoint { out.points[b, default: [:]][p, default: EdgeStats()].merge(s) }
        }
        for (k, s) in batch.buckets where !s.dropReasons.isEmpty {
            let b = BucketedEdge(edge: k.edge, bucket: TimeBucket.start(k.bucket, width: width))
            out.dropReasons[b, default: []].formUnion(s.dropReasons)
        }
        return out
    }

    @Test func bucketedAtTheAggregatorsWidthEqualsRebucketing() {
        var agg = FlowAggregator()
        for f in Self.flows(seed: 7, count: 2000) { agg.add(f) }
        var batch = agg.take().0
        for width in [TimeBucket.defaultWidth, TimeBucket.defaultWidth * 2, TimeBucket.defaultWidth / 2] {
            let got = batch.bucketed(width: width)
            let want = Self.rebucket(batch, width: width)
            #expect(got.points == want.points, "width \(width)")
            #expect(got.dropReasons == want.dropReasons, "width \(width)")
        }
        // An empty point map (a hand-built batch) writes nothing, as before.
        let k = batch.points.keys.first!
        batch.points[k] = [:]
        #expect(batch.bucketed(width: TimeBucket.defaultWidth).points == Self.rebucket(batch, width: TimeBucket.defaultWidth).points)
    }
}
