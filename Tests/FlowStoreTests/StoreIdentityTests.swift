import Foundation
import TestSupport
import Testing
import FlowModel
@testable import FlowStore

/// Issue 12: counts that sum past Int64.max, another program's database, read-only opens.
@Suite("Store identity and count bounds")
struct StoreIdentityTests {
    static let web = Endpoint.workload("shop", "web", kind: "Deployment")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")
    static let key = EdgeKey(source: web, destination: api, proto: .tcp, port: 8080, outcome: .allowed)

    func batch(flows: Int64) -> IngestBatch {
        var b = IngestBatch()
        b.edges[Self.key] = EdgeStats(flows: flows, firstSeen: 1, lastSeen: 2)
        b.l7[L7Key(edge: Self.key, request: .http(method: "GET", path: "/"))] = EdgeStats(flows: flows, firstSeen: 1,
                                                                                          lastSeen: 2)
        return b
    }

    func typeof(_ store: FlowStore, _ sql: String) throws -> [String] {
        let q = try store.db.prepare(sql)
        var out: [String] = []
        while try q.step() { out.append(q.text(0)) }
        return out
    }

    /// A store as FlowMap wrote it before the application_id: schemas 1 and 2, no stamp.
    func earlierStore(_ path: String) throws {
        try StoreSupport.atSchema(2, path: path)
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("counts summed past Int64.max across two writes saturate and stay integers")
    func countsSaturate() throws {
        let store = try FlowStore(path: StoreSupport.newPath())
        let big = Int64.max - 5
        _ = try store.write(batch(flows: big), counts: IngestCounts(), path: "a", format: "x", contentHash: "h1", now: 1)
        _ = try store.write(batch(flows: big), counts: IngestCounts(), path: "b", format: "x", contentHash: "h2", now: 2)
        #expect(try typeof(store, "SELECT typeof(flows) FROM edge_buckets") == ["integer"])
        #expect(try typeof(store, "SELECT DISTINCT typeof(flows) FROM edge_bucket_l7") == ["integer"])
        #expect(try store.edges().map(\.stats.flows) == [Int64.max])
        #expect(try store.l7()[Self.key]?.map(\.stats.flows) == [Int64.max])
        #expect(try store.countFindings().isEmpty)
        // Below the bound, sums stay exact.
        let small = try FlowStore(path: StoreSupport.newPath())
        _ = try small.write(batch(flows: 2), counts: IngestCounts(), path: "a", format: "x", contentHash: "h1", now: 1)
        _ = try small.write(batch(flows: 3), counts: IngestCounts(), path: "b", format: "x", contentHash: "h2", now: 2)
        #expect(try small.edges().map(\.stats.flows) == [5])
    }

    @Test("a count that is not an integer (an earlier FlowMap's REAL sum) is a finding; the store is refused")
    func realCountIsFound() throws {
        let path = StoreSupport.newPath()
        do {
            let store = try FlowStore(path: path)
            _ = try store.write(batch(flows: 1), counts: IngestCounts(), path: "a", format: "x", contentHash: "h1", now: 1)
            try store.db.exec("UPDATE edge_buckets SET flows = 9.3e18")
        }
        let findings = try FlowStore(path: path, verify: false, readOnly: true).countFindings()
        #expect(findings.count == 1 && findings[0].hasPrefix("edge_buckets.flows: 1 row(s) hold a real"), "\(findings)")
        #expect {
            _ = try FlowStore(path: path)
        } throws: { error in
            "\(error)".contains("damaged") && "\(error)".contains("edge_buckets.flows")
        }
    }

    @Test("a new store carries FlowMap's application_id")
    func newStoreStamped() throws {
        let store = try FlowStore(path: StoreSupport.newPath())
        #expect(try store.db.sqlite!.applicationID == FlowStore.applicationID)
        #expect(try store.schemaVersion == Migrations.latest)
    }

    @Test("a store from an earlier FlowMap (its tables, no application_id) is adopted and stamped")
    func earlierStoreAdopted() throws {
        let path = StoreSupport.newPath()
        try earlierStore(path)
        let store = try FlowStore(path: path)
        #expect(try store.db.sqlite!.applicationID == FlowStore.applicationID)
        #expect(try store.schemaVersion == Migrations.latest)
    }

    @Test("another program's database is refused and left byte-for-byte untouched")
    func foreignRefused() throws {
        let path = StoreSupport.newPath()
        do {
            let db = try SQLite(path: path)
            try db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x')")
        }
        let before = try bytes(path)
        for readOnly in [false, true] {
            #expect {
                _ = try FlowStore(path: path, verify: true, readOnly: readOnly)
            } throws: { error in
                "\(error)".contains("not a FlowMap store") && "\(error)".contains("left untouched")
            }
        }
        #expect(try bytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        // FlowMap's tables under another program's application_id are not FlowMap's either.
        let other = StoreSupport.newPath()
        try earlierStore(other)
        try SQLite(path: other).exec("PRAGMA application_id = 42")
        let otherBefore = try bytes(other)
        #expect(throws: FlowStore.Failure.self) { _ = try FlowStore(path: other) }
        #expect(try bytes(other) == otherBefore)
    }

    @Test("a read-only open writes nothing: no stamp, no migration, the same bytes")
    func readOnlyWritesNothing() throws {
        let path = StoreSupport.newPath()
        try earlierStore(path)
        let before = try bytes(path)
        let store = try FlowStore(path: path, verify: true, readOnly: true)
        #expect(try store.schemaVersion == 2)
        #expect(try store.db.sqlite!.applicationID == 0)
        #expect(try store.edges().isEmpty)
        #expect(throws: (any Error).self) { try store.db.exec("CREATE TABLE x (y)") }
        #expect(try bytes(path) == before)
    }

    @Test("a source recorded under an earlier FlowMap's hash is the same file: a duplicate, re-stamped with SHA-256")
    func legacyHashRecognised() throws {
        let store = try FlowStore(path: StoreSupport.newPath())
        _ = try store.write(batch(flows: 2), counts: IngestCounts(), path: "a", format: "x",
                            contentHash: "f7e167d080a7cfac-450", now: 1)
        let sha = "sha256:" + String(repeating: "ab", count: 32)
        #expect(try store.write(batch(flows: 2), counts: IngestCounts(), path: "a2", format: "x", contentHash: sha,
                                now: 2, legacyHash: "f7e167d080a7cfac-450") == .duplicate(previousPath: "a"))
        #expect(try store.sources().map(\.contentHash) == [sha])
        #expect(try store.edges().map(\.stats.flows) == [2])
        // From now on the SHA-256 alone recognises it; the old value no longer matches anything.
        #expect(try store.write(batch(flows: 2), counts: IngestCounts(), path: "a3", format: "x", contentHash: sha,
                                now: 3) == .duplicate(previousPath: "a"))
        #expect(try store.write(batch(flows: 2), counts: IngestCounts(), path: "b", format: "x",
                                contentHash: "sha256:" + String(repeating: "cd", count: 32), now: 4,
                                legacyHash: "f7e167d080a7cfac-450") == .written)
    }
}
