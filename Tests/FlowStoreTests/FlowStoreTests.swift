import Foundation
import TestSupport
import Testing
import FlowModel
@testable import FlowStore

@Suite("FlowStore")
struct FlowStoreTests {
    static let root = Repository.root

    @Test("the embedded migrations are exactly schema/*.sql (run `make schema` when this fails)")
    func embeddedSchemaMatchesFiles() throws {
        let dir = Self.root.appendingPathComponent("schema")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        #expect(Migrations.files.map(\.name) == files)
        for (name, sql) in Migrations.files {
            let onDisk = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            #expect(sql == onDisk.trimmingTrailingNewlines(), "\(name) differs from its embedded copy")
        }
    }

    @Test("a new store is migrated to the latest schema, and reopening keeps it")
    func migrates() throws {
        let path = StoreSupport.newPath()
        #expect(try FlowStore(path: path).schemaVersion == Migrations.latest)
        #expect(try FlowStore(path: path).schemaVersion == Migrations.latest)
    }

    @Test("a store written by a newer FlowMap is refused with a clear message")
    func newerSchemaRefused() throws {
        let path = StoreSupport.newPath()
        _ = try FlowStore(path: path)
        let db = try SQLite(path: path)
        try db.exec("PRAGMA user_version = \(Migrations.latest + 1)")
        #expect {
            _ = try FlowStore(path: path)
        } throws: { error in
            "\(error)".contains("newer FlowMap") && "\(error)".contains("schema \(Migrations.latest + 1)")
        }
    }

    @Test("a file that is not SQLite is refused, not overwritten")
    func notAStore() throws {
        let path = StoreSupport.newPath()
        try Data("this is not a database, just text that is long enough to have a header".utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: FlowStore.Failure.self) { _ = try FlowStore(path: path) }
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.hasPrefix("this is not a database"))
    }

    static let web = Endpoint.workload("shop", "web", kind: "Deployment")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")

    func batch(flows: Int64, first: Int64, last: Int64) -> IngestBatch {
        var b = IngestBatch()
        let k = EdgeKey(source: Self.web, destination: Self.api, proto: .tcp, port: 8080, outcome: .allowed)
        b.edges[k] = EdgeStats(flows: flows, firstSeen: first, lastSeen: last)
        b.l7[L7Key(edge: k, request: .http(method: "GET", path: "/items"))] = EdgeStats(flows: 2, firstSeen: first,
                                                                                         lastSeen: last)
        b.labelSets[Self.web] = ["app=web"]
        b.namespaceLabels["shop"] = ["team": "a"]
        return b
    }

    @Test("writes add counts and widen first/last seen; a duplicate content hash writes nothing")
    func upsertAndDuplicate() throws {
        let store = try FlowStore(path: StoreSupport.newPath())
        var c = IngestCounts()
        c.accepted = 5
        #expect(try store.write(batch(flows: 5, first: 100, last: 200), counts: c, path: "a", format: "hubble",
                                contentHash: "h1", now: 1) == .written)
        #expect(try store.write(batch(flows: 3, first: 50, last: 150), counts: c, path: "b", format: "hubble",
                                contentHash: "h2", now: 2) == .written)
        #expect(try store.write(batch(flows: 99, first: 1, last: 999), counts: c, path: "c", format: "hubble",
                                contentHash: "h1", now: 3) == .duplicate(previousPath: "a"))
        let edges = try store.edges()
        #expect(edges.count == 1)
        #expect(edges[0].stats.flows == 8)
        #expect(edges[0].stats.firstSeen == 50)
        #expect(edges[0].stats.lastSeen == 200)
        #expect(try store.l7()[edges[0].key]?.first?.stats.flows == 4)
        #expect(try store.labelSets()[Self.web] == [["app": "web"]])
        #expect(try store.namespaceLabels()["shop"] == ["team": "a"])
        #expect(try store.sources().map(\.path) == ["a", "b"])
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("a write that fails half-way leaves nothing behind")
    func atomicWrite() throws {
        struct Boom: Error {}
        let store = try FlowStore(path: StoreSupport.newPath())
        _ = try store.write(batch(flows: 1, first: 1, last: 1), counts: IngestCounts(), path: "a", format: "x",
                            contentHash: "h1", now: 1)
        let before = try store.edges()
        store.faultAfterEdges = { throw Boom() }
        var b = batch(flows: 7, first: 1, last: 9)
        b.edges[EdgeKey(source: Self.api, destination: Self.web, proto: .udp, port: 53, outcome: .allowed)] =
            EdgeStats(flows: 1, firstSeen: 1, lastSeen: 1)
        #expect(throws: Boom.self) {
            _ = try store.write(b, counts: IngestCounts(), path: "b", format: "x", contentHash: "h2", now: 2)
        }
        store.faultAfterEdges = nil
        #expect(try store.edges() == before)
        #expect(try store.sources().count == 1)
        // The same content can be written once the fault is gone: no half-written source record blocks it.
        #expect(try store.write(b, counts: IngestCounts(), path: "b", format: "x", contentHash: "h2", now: 3)
                == .written)
        #expect(try store.edges().count == 2)
    }

    @Test("reads inside snapshot see one committed state: a write committed meanwhile by another connection is not half visible")
    func snapshotIsolatesReads() throws {
        let path = StoreSupport.newPath()
        let reader = try FlowStore(path: path)
        let writer = try FlowStore(path: path)
        _ = try writer.write(batch(flows: 1, first: 1, last: 1), counts: IngestCounts(), path: "a", format: "x",
                             contentHash: "h1", now: 1)
        let (inside, before) = try reader.snapshot {
            let before = try reader.edges()
            _ = try writer.write(batch(flows: 4, first: 1, last: 9), counts: IngestCounts(), path: "b", format: "x",
                                 contentHash: "h2", now: 2)
            return (try reader.edges(), before)
        }
        #expect(before.map(\.stats.flows) == [1])
        #expect(inside == before, "the second read inside one snapshot saw the concurrent commit")
        #expect(try reader.edges().map(\.stats.flows) == [5], "after the snapshot the commit is visible")
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}

@Suite("SQLite behaviour FlowStore relies on")
struct SQLiteBehaviourTests {
    @Test("integrity_check is clean on a WITHOUT ROWID table whose key reorders columns (quick_check is not, in 3.40)")
    func integrityCheckOnReorderedKey() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sq-\(UUID().uuidString).db").path
        let db = try SQLite(path: path)
        try db.exec("""
            CREATE TABLE t (a TEXT NOT NULL, b TEXT NOT NULL, c INTEGER NOT NULL, PRIMARY KEY (a, c, b)) WITHOUT ROWID;
            INSERT INTO t VALUES ('x', 'y', 1);
            """)
        let q = try db.prepare("PRAGMA integrity_check")
        var out: [String] = []
        while try q.step() { out.append(q.text(0)) }
        #expect(out == ["ok"])
    }
}
