import Testing
import FlowModel
import TestSupport
@testable import FlowStore

/// `FlowStore.edges` sorts on the ranks of the distinct endpoints, not on their strings: these tests hold it to
/// what sorting on `EdgeKey.<` and summing per key gives.
@Suite("Edge order")
struct EdgeOrderTests {
    /// Endpoints of every kind whose names sort in another order than they are first written (ids).
    static func endpoints(_ rng: inout SplitMix64) -> [Endpoint] {
        var out: [Endpoint] = []
        for i in 0..<60 {
            let n = rng.int(below: 1000)
            out.append(.workload(["shop", "a", "zeta", "db"][i % 4], "w\(n)-\(i)", kind: ["Deployment", "StatefulSet"][i % 2]))
            out.append(.external("10.\(rng.int(below: 256)).\(rng.int(below: 256)).\(i)"))
        }
        out += ["world", "host", "kube-apiserver"].map(Endpoint.reserved)
        return out
    }

    @Test("edges are sorted by key with each key's counts summed over batches and buckets")
    func sortedAndSummed() throws {
        var rng = SplitMix64(seed: 7)
        let eps = Self.endpoints(&rng)
        let store = try FlowStore(path: StoreSupport.newPath())
        var expected = [EdgeKey: EdgeStats]()
        let width = try store.bucketWidth
        for b in 0..<4 {
            var batch = IngestBatch()
            for _ in 0..<400 {
                let key = EdgeKey(source: eps[rng.int(below: eps.count)], destination: eps[rng.int(below: eps.count)],
                                  proto: Proto.allCases[rng.int(below: Proto.allCases.count)],
                                  port: UInt16([53, 80, 443, 8080, 0][rng.int(below: 5)]),
                                  outcome: Outcome.allCases[rng.int(below: Outcome.allCases.count)])
                // Each batch in its own bucket, so the store keeps one row per bucket and the read sums them.
                let first = Int64(b) * width + Int64(rng.int(below: 100))
                let stats = EdgeStats(flows: Int64(rng.int(below: 50) + 1), firstSeen: first, lastSeen: first + 10)
                if batch.edges[key] != nil { continue }
                batch.edges[key] = stats
                expected[key, default: EdgeStats(flows: 0, firstSeen: .max, lastSeen: .min)].merge(stats)
            }
            _ = try store.write(batch, counts: IngestCounts(), path: "b\(b)", format: "test", contentHash: nil, now: 1)
        }
        let got = try store.edges()
        let want = expected.keys.sorted()
        #expect(got.count == want.count)
        // The first difference only (the whole list is thousands of keys).
        let first = zip(got.map(\.key), want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(first == nil, "first out of order at \(first ?? 0): \(first.map { "\(got[$0].key) where \(want[$0]) belongs" } ?? "")")
        for e in got {
            #expect(e.stats.flows == expected[e.key]?.flows, "\(e.key)")
            #expect(e.stats.firstSeen == expected[e.key]?.firstSeen, "\(e.key)")
            #expect(e.stats.lastSeen == expected[e.key]?.lastSeen, "\(e.key)")
        }
    }

    @Test("rows of one key are joined as observation points; the rest keep their stats, in key order")
    func joinsEqualKeys() {
        let a = Endpoint.workload("shop", "web", kind: "Deployment"), b = Endpoint.external("10.0.0.1")
        let k1 = EdgeKey(source: b, destination: a, proto: .udp, port: 53, outcome: .allowed)
        let k2 = EdgeKey(source: a, destination: b, proto: .tcp, port: 443, outcome: .denied)
        let k3 = EdgeKey(source: a, destination: b, proto: .tcp, port: 443, outcome: .allowed)
        let overlapping = [EdgeStats(flows: 5, firstSeen: 10, lastSeen: 20), EdgeStats(flows: 7, firstSeen: 15, lastSeen: 30)]
        let rows: [(key: EdgeKey, stats: EdgeStats)] = [
            (k1, EdgeStats(flows: 1, firstSeen: 1, lastSeen: 2)), (k2, overlapping[0]), (k3, EdgeStats(flows: 3)),
            (k2, overlapping[1]),
        ]
        let out = FlowStore.joinedInKeyOrder(rows)
        #expect(out.map(\.key) == [k1, k2, k3].sorted())
        let joined = out.first { $0.key == k2 }?.stats
        #expect(joined == FlowStore.joined(overlapping))
        #expect(joined?.flows == 7, "overlapping windows count as their busiest")
        #expect(out.first { $0.key == k1 }?.stats.flows == 1)
    }
}
