import Foundation
import TestSupport
import Testing
import FlowModel
@testable import FlowStore

/// Schema 4: an edge's count from its per observation point counts.
@Suite("Observation point counts")
struct PointCountTests {
    static func p(_ flows: Int64, _ first: Int64, _ last: Int64) -> EdgeStats {
        EdgeStats(flows: flows, firstSeen: first, lastSeen: last)
    }

    @Test("overlapping windows are the same connections (the busiest counts); windows apart add up, saturating")
    func clusters() {
        #expect(FlowStore.pointCount([]) == 0)
        #expect(FlowStore.pointCount([Self.p(3, 10, 20), Self.p(5, 15, 30)]) == 5)
        #expect(FlowStore.pointCount([Self.p(3, 10, 20), Self.p(5, 21, 30)]) == 8)
        #expect(FlowStore.pointCount([Self.p(7, 40, 50), Self.p(3, 10, 20), Self.p(5, 15, 30)]) == 12)
        #expect(FlowStore.pointCount([Self.p(.max, 0, 1), Self.p(.max, 2, 3)]) == .max)
    }

    @Test("a batch without points is one point: repeated writes add up, as before schema 4")
    func noPoints() throws {
        let dir = Temporary.directory("points")
        let store = try FlowStore(path: dir.appendingPathComponent("s.db").path)
        var b = IngestBatch()
        let key = EdgeKey(source: .workload("a", "x", kind: "Deployment"), destination: .external("198.51.100.7"),
                          proto: .tcp, port: 443, outcome: .allowed)
        b.edges[key] = Self.p(4, 10, 20)
        for i in 0..<2 {
            _ = try store.write(b, counts: IngestCounts(), path: "f\(i)", format: "test", contentHash: nil, now: 0)
        }
        #expect(try store.edges().map(\.stats.flows) == [8])
    }
}
