import Foundation
import Testing
import FlowModel
@testable import FlowStore

/// Namespace labels are kept per store, not per source. Concurrent ingesters (PostgreSQL) commit in any order, so
/// the labels a store ends with must not be the last committer's: the newest observation wins, ties broken by the
/// larger canonical text, on both backends.
@Suite("Namespace labels: deterministic whatever the write order")
struct NamespaceLabelTests {
    static let web = Endpoint.workload("shop", "web", kind: "Deployment")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")

    /// A batch whose flows end at `last` and which reports `team=<team>` for namespace shop.
    static func batch(team: String, last: Int64) -> IngestBatch {
        var b = IngestBatch()
        let k = EdgeKey(source: web, destination: api, proto: .tcp, port: 8080, outcome: .allowed)
        b.edges[k] = EdgeStats(flows: 1, firstSeen: last - 10, lastSeen: last)
        b.namespaceLabels["shop"] = ["team": team]
        return b
    }

    /// The labels of shop after writing `batches` in this order, into a new store of each backend.
    static func labels(_ batches: [(team: String, last: Int64)]) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nsl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var out: [String] = []
        for db in [dir.appendingPathComponent("s.db").path, try PostgresHarness.server().createDatabase()] {
            let s = try FlowStore(path: db)
            for (i, b) in batches.enumerated() {
                _ = try s.write(batch(team: b.team, last: b.last), counts: IngestCounts(), path: "f\(i)",
                                format: "hubble", contentHash: "h-\(b.team)-\(b.last)", now: 1_000 + Int64(i))
            }
            out.append(try s.namespaceLabels()["shop"]?.canonical ?? "none")
        }
        return out
    }

    @Test("the newest observation wins in either write order, on SQLite and PostgreSQL")
    func newestWins() throws {
        let old = (team: "old", last: Int64(100)), new = (team: "new", last: Int64(200))
        #expect(try Self.labels([old, new]) == ["team=new", "team=new"])
        #expect(try Self.labels([new, old]) == ["team=new", "team=new"], "a later write of older labels must not win")
    }

    @Test("observed at the same time: the larger canonical text wins in either order")
    func tieByValue() throws {
        let a = (team: "a", last: Int64(100)), b = (team: "b", last: Int64(100))
        #expect(try Self.labels([a, b]) == ["team=b", "team=b"])
        #expect(try Self.labels([b, a]) == ["team=b", "team=b"])
    }
}
