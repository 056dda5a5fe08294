import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowStore
import Inference
import Policy
import FlowModel
import TestSupport
import Testing

/// check / connectivity / diff through the façade, on Tests/PolicyTests/Fixtures/shop and a real store.
@Suite struct PolicyVerbsTests {
    static var shop: String {
        Repository.fixtures("PolicyTests", "shop").path
    }

    static func store() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-verbs-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("f.db").path
        var batch = IngestBatch()
        let prom = Endpoint.workload("monitoring", "prom", kind: "Deployment")
        let frontend = Endpoint.workload("shop", "frontend", kind: "Deployment")
        let api = Endpoint.workload("shop", "api", kind: "Deployment")
        batch.edges[EdgeKey(source: prom, destination: frontend, proto: .tcp, port: 8080, outcome: .allowed)] =
            EdgeStats(flows: 40, firstSeen: 1, lastSeen: 2)
        batch.edges[EdgeKey(source: frontend, destination: api, proto: .tcp, port: 9090, outcome: .allowed)] =
            EdgeStats(flows: 300, firstSeen: 1, lastSeen: 2)
        _ = try FlowStore(path: db).write(batch, counts: IngestCounts(), path: "test", format: "test",
                                          contentHash: nil, now: 0)
        return db
    }

    @Test func checkFlagsWhatTheNewSetBreaks() throws {
        let db = try Self.store()
        let old = try Check.run(Check.Options(policies: [Self.shop + "/cluster", Self.shop + "/old"], db: db))
        #expect(old.report.allowedConnections == 2 && !old.report.breaks)
        let new = try Check.run(Check.Options(policies: [Self.shop + "/cluster", Self.shop + "/new"], db: db))
        #expect(new.report.deniedConnections == 1 && new.report.deniedFlows == 40 && new.report.breaks)
        #expect(throws: (any Error).self) { try Check.run(Check.Options(policies: [Self.shop], db: db + ".missing")) }
    }

    @Test func connectivityAndDiffOverManifestWorkloads() throws {
        let c = try Connectivity.run(Connectivity.Options(policies: [Self.shop + "/cluster", Self.shop + "/old"]))
        #expect(c.workloads == 4)
        #expect(c.entries.contains { $0.source.description == "shop/frontend[Deployment]"
                                     && $0.destination.description == "shop/api[Deployment]" })
        let db = try Self.store()
        let d = try Diff.run(Diff.Options(old: .manifests([Self.shop + "/cluster", Self.shop + "/old"]),
                                          new: .manifests([Self.shop + "/cluster", Self.shop + "/new"]), db: db))
        #expect(!d.report.isEmpty)
        #expect(d.report.changes.contains { $0.breaks.map(\.description) == ["TCP 8080 (40 flows)"] })
        let same = try Diff.run(Diff.Options(old: .manifests([Self.shop + "/cluster", Self.shop + "/old"]),
                                             new: .manifests([Self.shop + "/old", Self.shop + "/cluster"])))
        #expect(same.report.isEmpty)
    }
}
