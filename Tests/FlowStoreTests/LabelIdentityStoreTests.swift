import Foundation
import TestSupport
import Testing
import FlowModel
@testable import FlowStore

/// Issue 14: a label identity (a Hubble endpoint without pod name, a proxy leg) that stands for one known workload
/// reads as that workload from the store, so no verb sees a pseudo-workload (check's "selects pods of 2 known
/// workloads" note for one real workload).
@Suite("Label identities read as the workload they stand for")
struct LabelIdentityStoreTests {
    static let v1 = Endpoint.workload("bookinfo", "productpage-v1", kind: "Deployment")
    static let identity = Endpoint.workload("bookinfo", "productpage", kind: Endpoint.labelIdentityKind)
    static let reviews = Endpoint.workload("bookinfo", "reviews-v1", kind: "Deployment")
    static let other = Endpoint.workload("bookinfo", "details", kind: Endpoint.labelIdentityKind)

    func store(withWorkload: Bool) throws -> FlowStore {
        let dir = Temporary.directory("flowstore")
        let s = try FlowStore(path: dir.appendingPathComponent("s.db").path)
        var a = IngestBatch()  // the proxy leg, ingested first
        a.labelSets[Self.identity] = ["app=productpage"]
        a.labelSets[Self.other] = ["app=details"]  // nothing known carries it: stays as it is
        a.addresses[Self.identity] = ["10.0.3.219"]
        a.edges[EdgeKey(source: Self.identity, destination: Self.reviews, proto: .tcp, port: 9080, outcome: .allowed)] =
            EdgeStats(flows: 2, firstSeen: 5, lastSeen: 6)
        a.listening[ListeningPort(endpoint: Self.identity, proto: .tcp, port: 9080)] = 1
        _ = try s.write(a, counts: IngestCounts(), path: "a", format: "t", contentHash: nil, now: 1)
        guard withWorkload else { return s }
        var b = IngestBatch()  // the pod-named records, later
        b.labelSets[Self.v1] = ["app=productpage,version=v1"]
        b.labelSets[Self.reviews] = ["app=reviews,version=v1"]
        b.addresses[Self.v1] = ["10.0.3.200"]
        b.edges[EdgeKey(source: Self.v1, destination: Self.reviews, proto: .tcp, port: 9080, outcome: .allowed)] =
            EdgeStats(flows: 3, firstSeen: 1, lastSeen: 4)
        _ = try s.write(b, counts: IngestCounts(), path: "b", format: "t", contentHash: nil, now: 2)
        return s
    }

    @Test("once the workload is known, its label identity's edges, addresses and ports are the workload's")
    func merged() throws {
        let s = try store(withWorkload: true)
        #expect(try s.endpoints() == [Self.other, Self.v1, Self.reviews].sorted())
        #expect(try s.edges().map(\.key) == [EdgeKey(source: Self.v1, destination: Self.reviews, proto: .tcp, port: 9080,
                                                     outcome: .allowed)])
        // Windows apart (1..4, 5..6): different connections, counts add; overlapping ones count as the busiest.
        #expect(try s.edges().first?.stats == EdgeStats(flows: 5, firstSeen: 1, lastSeen: 6))
        #expect(FlowStore.joined([EdgeStats(flows: 3, firstSeen: 1, lastSeen: 4), EdgeStats(flows: 2, firstSeen: 2, lastSeen: 3)])
                == EdgeStats(flows: 3, firstSeen: 1, lastSeen: 4))
        #expect(try s.labelSets()[Self.v1] == [Labels.fromCanonical("app=productpage,version=v1")])
        #expect(try s.labelSets()[Self.identity] == nil)
        #expect(try s.addresses()[Self.v1] == ["10.0.3.200", "10.0.3.219"])
        #expect(try s.listeningPorts() == [ListeningPort(endpoint: Self.v1, proto: .tcp, port: 9080): 1])
    }

    @Test("per bucket too (export): one row per key, the label identity's joined as edges() joins it")
    func bucketedJoined() throws {
        let s = try store(withWorkload: true)
        let rows = try s.bucketedEdges()
        // Both rows fall in the store's one hour bucket (times 1..6 ns); before the fix they came out as two rows
        // with the same key, in the order SQLite returned them (run to run apart).
        #expect(rows.map(\.key) == [BucketedEdge(edge: EdgeKey(source: Self.v1, destination: Self.reviews, proto: .tcp,
                                                                port: 9080, outcome: .allowed), bucket: 0)])
        #expect(rows.first?.stats == EdgeStats(flows: 5, firstSeen: 1, lastSeen: 6))
        #expect(rows.map(\.stats) == (try s.edges()).map(\.stats))
    }

    @Test("without the workload, the label identity stays its own endpoint")
    func alone() throws {
        let s = try store(withWorkload: false)
        #expect(try s.endpoints().contains(Self.identity))
        #expect(try s.edges().map(\.key.source) == [Self.identity])
    }
}
