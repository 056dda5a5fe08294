import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowStore
import Inference
import Policy
import FlowModel
import Testing

/// Day 1 chooses `app: ratings`; day 2 a `ratings-v2` Deployment appears with the same label.
@Suite struct SharedSelectorTests {
    let page = Endpoint.workload("bookinfo", "productpage", kind: "Deployment")
    let ratings = Endpoint.workload("bookinfo", "ratings", kind: "Deployment")
    let ratingsV2 = Endpoint.workload("bookinfo", "ratings-v2", kind: "Deployment")

    func write(_ batch: IngestBatch, _ db: String, _ name: String) throws {
        _ = try FlowStore(path: db).write(batch, counts: IngestCounts(), path: name, format: "test", contentHash: nil,
                                          now: 0)
    }

    @Test("check names a generated policy whose selector also selects a workload known only later")
    func checkReportsLaterWorkload() throws {
        let dir = TestSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path, out = dir.appendingPathComponent("out").path
        var day1 = IngestBatch()
        day1.edges[EdgeKey(source: page, destination: ratings, proto: .tcp, port: 9080, outcome: .allowed)] =
            EdgeStats(flows: 10, firstSeen: 1, lastSeen: 2)
        day1.labelSets = [page: ["app=productpage"], ratings: ["app=ratings,version=v1"]]
        try write(day1, db, "day1")
        var o = Generate.Options(db: db, out: out)
        o.inference.selector = .minimal
        _ = try Generate.run(o)
        let before = try Check.run(Check.Options(policies: [out], db: db))
        #expect(!before.notes.contains { $0.contains("generated for one workload") })

        var day2 = IngestBatch()
        day2.labelSets = [ratingsV2: ["app=ratings,version=v2"]]
        try write(day2, db, "day2")
        let after = try Check.run(Check.Options(policies: [out], db: db))
        let note = after.notes.first { $0.contains("generated for one workload") }
        #expect(note?.contains("app=ratings") == true)
        #expect(note?.contains("bookinfo/ratings[Deployment], bookinfo/ratings-v2[Deployment]") == true)
    }
}
