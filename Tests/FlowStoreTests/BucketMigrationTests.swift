import Foundation
import TestSupport
import Testing
import FlowModel
@testable import FlowStore

/// Schema 7: a store written before buckets is moved, each edge into the bucket of its first seen.
@Suite("Bucket migration (schema 7)")
struct BucketMigrationTests {
    static let hour: Int64 = 3_600_000_000_000
    static let t0: Int64 = 1_714_557_600_000_000_000  // 2024-05-01T10:00:00Z

    /// A store as schema 6 left it: two edges (one spanning three hours), points, a drop reason, L7, labels.
    func oldStore(_ path: String) throws {
        let db = try StoreSupport.atSchema(6, path: path)
        try db.exec("""
            INSERT INTO endpoints (id, kind, namespace, name, workload_kind) VALUES
              (1, 'workload', 'shop', 'web', 'Deployment'), (2, 'workload', 'shop', 'api', 'Deployment');
            INSERT INTO edges VALUES (1, 2, 'TCP', 8080, 'allowed', 42, \(Self.t0 + 10), \(Self.t0 + 3 * Self.hour - 1));
            INSERT INTO edges VALUES (2, 1, 'TCP', 9090, 'denied', 3, \(Self.t0 + 2 * Self.hour + 5), \(Self.t0 + 2 * Self.hour + 9));
            INSERT INTO edge_points VALUES (1, 2, 'TCP', 8080, 'allowed', 'egress/n1', 42, \(Self.t0 + 10), \(Self.t0 + 3 * Self.hour - 1));
            INSERT INTO edge_points VALUES (2, 1, 'TCP', 9090, 'denied', '', 3, \(Self.t0 + 2 * Self.hour + 5), \(Self.t0 + 2 * Self.hour + 9));
            INSERT INTO edge_drop_reasons VALUES (2, 1, 'TCP', 9090, 'denied', 'POLICY_DENIED');
            INSERT INTO edge_l7 VALUES (1, 2, 'TCP', 8080, 'allowed', 'http', 'GET', '/x', 7, \(Self.t0 + 20), \(Self.t0 + 30));
            INSERT INTO label_sets VALUES (1, 'app=web');
            INSERT INTO sources (path, format, content_hash, ingested_at, lines, accepted, skipped, rejected, replies, bytes)
              VALUES ('old.json', 'hubble', 'h', 1, 10, 10, 0, 0, 0, 100);
            """)
    }

    @Test("each old edge becomes one bucket (of its first_seen) with its count and span; old sources cannot be forgotten")
    func migrates() throws {
        let path = StoreSupport.newPath()
        try oldStore(path)
        let store = try FlowStore(path: path)
        #expect(try store.schemaVersion == Migrations.latest)
        #expect(try store.bucketWidth == Self.hour)
        // Sorted by key: shop/api -> shop/web (denied, 9090) comes first.
        let rows = try store.bucketedEdges()
        #expect(rows.map(\.key.edge.port) == [9090, 8080])
        #expect(rows.map(\.key.bucket) == [Self.t0 + 2 * Self.hour, Self.t0])
        #expect(rows.map(\.stats.flows) == [3, 42])
        #expect(rows.map(\.stats.lastSeen) == [Self.t0 + 2 * Self.hour + 9, Self.t0 + 3 * Self.hour - 1])
        #expect(rows[0].stats.dropReasons == ["POLICY_DENIED"])
        let edges = try store.edges()
        #expect(edges.map(\.stats.flows) == [3, 42] && edges[1].stats.firstSeen == Self.t0 + 10)
        #expect(try store.l7().values.flatMap { $0 }.map(\.stats.flows) == [7])
        #expect(try store.labelSets().values.flatMap { $0 }.map(\.canonical) == ["app=web"])
        // The old tables are emptied; the window is whole buckets of the first seen.
        for t in ["edges", "edge_points", "edge_l7", "label_sets"] {
            let q = try store.db.prepare("SELECT count(*) FROM \(t)")
            #expect(try q.step() && q.int(0) == 0, "\(t)")
        }
        #expect(try store.edges(window: TimeWindow(since: Self.t0 + Self.hour)).map(\.stats.flows) == [3])
        let sources = try store.sources()
        #expect(sources.count == 1 && !sources[0].attributed && sources[0].firstFlow == nil)
        #expect { _ = try store.forget("old.json") } throws: { "\($0)".contains("before per-source counts") }
        #expect(try store.edges().count == 2, "a refused forget changes nothing")
        // A new ingest after the migration adds to the moved counts (its own source).
        var b = IngestBatch()
        let key = edges[1].key
        b.edges[key] = EdgeStats(flows: 1, firstSeen: Self.t0 + 50, lastSeen: Self.t0 + 60)
        b.points[BucketedEdge(edge: key, bucket: Self.t0)] = ["egress/n1": b.edges[key]!]  // the same point: adds
        _ = try store.write(b, counts: IngestCounts(), path: "new.json", format: "hubble", contentHash: "n", now: 2)
        #expect(try store.edges().first { $0.key == key }?.stats.flows == 43)
        _ = try store.forget("new.json")
        #expect(try store.edges().first { $0.key == key }?.stats.flows == 42)
    }
}
