import Foundation
import Testing
import FlowMapKit
import FlowModel
@testable import FlowStore

/// The store on PostgreSQL beside the same store on SQLite: the same inputs give the same evidence, the same
/// generated files byte for byte, and forget / prune / sources / export agree.
@Suite("PostgreSQL store")
struct PostgresStoreTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func samples(_ dirs: [String], _ exts: Set<String>) -> [String] {
        dirs.flatMap { d -> [String] in
            let dir = root.appendingPathComponent("samples/\(d)")
            return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
                .filter { exts.contains(URL(fileURLWithPath: $0).pathExtension) }
                .map { dir.appendingPathComponent($0).path }
        }.sorted()
    }

    /// `make demo`'s two stores: the Hubble samples, and the other sources (inventory, Calico, VPC).
    static let hubble = samples(["hubble/cilium-docs", "hubble/hubble-otel", "hubble/tke-guide"], ["json", "jsonl"])
    static let more = samples(["inventory", "calico", "vpc"], ["json", "log", "txt"])

    static func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-pgtest-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// Everything a verb reads from a store, in a form that compares (sources without their ids and times).
    struct Contents: Equatable {
        var edges: [ObservedEdge]
        var l7: [EdgeKey: [L7Observation]]
        var labelSets: [Endpoint: [Labels]]
        var addresses: [Endpoint: [String]]
        var names: [Endpoint: [String]]
        var namespaceLabels: [String: Labels]
        var endpoints: [Endpoint]
        var listening: [ListeningPort: Int64]
        var buckets: [String]
        var sources: [String]
        var inventory: Inventory
        var connections: ConnectionAddresses
        var bucketAddresses: [BucketedEdge: EdgeAddresses]

        init(_ s: FlowStore) throws {
            edges = try s.edges()
            l7 = try s.l7()
            labelSets = try s.labelSets()
            addresses = try s.addresses()
            names = try s.names()
            namespaceLabels = try s.namespaceLabels()
            endpoints = try s.endpoints()
            listening = try s.listeningPorts()
            buckets = try s.bucketedEdges().map { "\($0.key) \($0.stats.flows) \($0.stats.firstSeen) \($0.stats.lastSeen) \($0.stats.dropReasons.sorted())" }
            sources = try s.sources().map { "\($0.path) \($0.format) \($0.contentHash ?? "-") \($0.counts) \(String(describing: $0.firstFlow)) \(String(describing: $0.lastFlow)) \($0.attributed)" }
            inventory = try s.inventory()
            connections = try s.connectionAddresses()
            bucketAddresses = try s.bucketedEdgeAddresses()
        }

        /// The fields that differ, each with a first differing element: a failure says where.
        func differences(_ o: Contents) -> [String] {
            var out: [String] = []
            func field<T: Equatable>(_ name: String, _ a: T, _ b: T, _ detail: () -> String) {
                if a != b { out.append("\(name): \(detail())") }
            }
            func firstDiff<E: Hashable>(_ a: [E], _ b: [E]) -> String {
                let sa = Set(a), sb = Set(b)
                return "only here: \(sa.subtracting(sb).prefix(2)); only there: \(sb.subtracting(sa).prefix(2)); counts \(a.count)/\(b.count)"
            }
            func dictDiff<K: Hashable, V: Equatable>(_ a: [K: V], _ b: [K: V]) -> String {
                let keys = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
                return keys.prefix(2).map { "\($0): \(String(describing: a[$0])) vs \(String(describing: b[$0]))" }.joined(separator: "; ")
            }
            field("edges", edges, o.edges) { firstDiff(edges, o.edges) }
            field("l7", l7, o.l7) { dictDiff(l7, o.l7) }
            field("labelSets", labelSets, o.labelSets) { dictDiff(labelSets, o.labelSets) }
            field("addresses", addresses, o.addresses) { dictDiff(addresses, o.addresses) }
            field("names", names, o.names) { dictDiff(names, o.names) }
            field("namespaceLabels", namespaceLabels, o.namespaceLabels) { dictDiff(namespaceLabels, o.namespaceLabels) }
            field("endpoints", endpoints, o.endpoints) { firstDiff(endpoints, o.endpoints) }
            field("listening", listening, o.listening) { dictDiff(listening, o.listening) }
            field("buckets", buckets, o.buckets) { firstDiff(buckets, o.buckets) }
            field("sources", sources, o.sources) { firstDiff(sources, o.sources) }
            field("inventory", inventory, o.inventory) { "pods \(inventory.pods.count)/\(o.inventory.pods.count)" }
            field("connections", connections, o.connections) { dictDiff(connections.byEdge, o.connections.byEdge) }
            field("bucketAddresses", bucketAddresses, o.bucketAddresses) { dictDiff(bucketAddresses, o.bucketAddresses) }
            return out
        }
    }

    /// The files of a directory, by name.
    static func files(_ dir: URL) throws -> [String: Data] {
        var out = [String: Data]()
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)!
        for case let u as URL in e where !u.hasDirectoryPath {
            out[String(u.path.dropFirst(dir.path.count))] = try Data(contentsOf: u)
        }
        return out
    }

    static func generate(_ db: String, flavor: String? = nil) throws -> [String: Data] {
        let out = tempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        var o = Generate.Options(db: db, out: out.path, allowBreaks: true)
        if flavor == "cilium" { o.emit.flavor = .cilium }
        _ = try Generate.run(o)
        return try files(out)
    }

    func ingestBoth(_ paths: [String]) throws -> (sqlite: String, pg: String) {
        let pg = try PostgresHarness.server().createDatabase()
        let sqlite = Self.tempDir().appendingPathComponent("s.db").path
        let a = try Ingest.run(paths: paths, options: Ingest.Options(db: sqlite)) { _ in }
        let b = try Ingest.run(paths: paths, options: Ingest.Options(db: pg)) { _ in }
        #expect(a.files.count == paths.count)
        #expect(a.files.map(\.counts) == b.files.map(\.counts))
        return (sqlite, pg)
    }

    @Test("the embedded PostgreSQL migrations are exactly schema/postgres/*.sql (run `make schema` when this fails)")
    func embeddedSchemaMatchesFiles() throws {
        let dir = Self.root.appendingPathComponent("schema/postgres")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        #expect(PostgresMigrations.files.map(\.name) == files)
        for (name, sql) in PostgresMigrations.files {
            let onDisk = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            #expect(sql + "\n" == onDisk || sql == onDisk, "\(name) differs from its embedded copy")
        }
    }

    @Test("the Hubble samples: PostgreSQL holds what SQLite holds, and generate writes the same bytes (both flavors)")
    func hubbleParity() throws {
        #expect(Self.hubble.count >= 10)
        let (sqlite, pg) = try ingestBoth(Self.hubble)
        let a = try Contents(FlowStore(path: sqlite)), b = try Contents(FlowStore(path: pg))
        #expect(!a.edges.isEmpty)
        #expect(a.differences(b) == [])
        for flavor in [nil, "cilium"] {
            let fa = try Self.generate(sqlite, flavor: flavor), fb = try Self.generate(pg, flavor: flavor)
            #expect(!fa.isEmpty)
            #expect(fa.keys.sorted() == fb.keys.sorted())
            for (name, data) in fa { #expect(fb[name] == data, "\(name) differs (\(flavor ?? "k8s"))") }
        }
        for format in Export.Format.allCases {
            #expect(try Export.run(db: sqlite, format: format) == Export.run(db: pg, format: format))
        }
        #expect(ListSources.text(try ListSources.run(db: sqlite)).count == ListSources.text(try ListSources.run(db: pg)).count)
    }

    @Test("inventory, Calico and VPC samples: the same contents and generated bytes on both backends")
    func moreSourcesParity() throws {
        #expect(Self.more.count >= 5)
        let (sqlite, pg) = try ingestBoth(Self.more)
        let a = try Contents(FlowStore(path: sqlite)), b = try Contents(FlowStore(path: pg))
        #expect(!a.edges.isEmpty)
        // The Calico sample's dest_service_* is kept per connection (schema 14 / PostgreSQL 6) on both.
        #expect(a.connections.byEdge.values.contains { !$0.services.isEmpty } && a.connections.servicesUnknown.isEmpty)
        #expect(a.differences(b) == [])
        let fa = try Self.generate(sqlite), fb = try Self.generate(pg)
        #expect(!fa.isEmpty && fa == fb)
    }

    @Test("forget and prune change both backends alike")
    func lifecycleParity() throws {
        let (sqlite, pg) = try ingestBoth(Self.hubble)
        let victim = Self.hubble[3]
        let fa = try Forget.run(db: sqlite, source: victim), fb = try Forget.run(db: pg, source: victim)
        #expect(fa.buckets > 0 && fa.buckets == fb.buckets)
        #expect(fa.sources.map(\.path) == fb.sources.map(\.path))
        #expect(try Contents(FlowStore(path: sqlite)).differences(Contents(FlowStore(path: pg))) == [])
        // Prune the earliest bucket that holds anything.
        let first = try FlowStore(path: sqlite).bucketedEdges().map(\.key.bucket).min()!
        let width = try FlowStore(path: sqlite).bucketWidth
        let pa = try Prune.run(db: sqlite, before: first + width), pb = try Prune.run(db: pg, before: first + width)
        #expect(pa.rows > 0 && pa == pb)
        #expect(try Contents(FlowStore(path: sqlite)).differences(Contents(FlowStore(path: pg))) == [])
        #expect(try Self.generate(sqlite) == Self.generate(pg))
    }

    @Test("the same file ingested twice adds nothing on PostgreSQL (content hash), as on SQLite")
    func idempotent() throws {
        let pg = try PostgresHarness.server().createDatabase()
        let path = Self.hubble.first { $0.contains("400-tcp") }!
        _ = try Ingest.run(paths: [path], options: Ingest.Options(db: pg)) { _ in }
        let before = try Contents(FlowStore(path: pg))
        let again = try Ingest.run(paths: [path], options: Ingest.Options(db: pg)) { _ in }
        #expect(again.files.count == 1)
        #expect(try before.differences(Contents(FlowStore(path: pg))) == [])
        #expect(try FlowStore(path: pg).sources().count == 1)
    }

    @Test("counts saturate at Int64.max on PostgreSQL instead of failing")
    func saturates() throws {
        let pg = try PostgresHarness.server().createDatabase()
        let store = try FlowStore(path: pg)
        let e = EdgeKey(source: .workload("shop", "web", kind: "Deployment"),
                        destination: .workload("shop", "db", kind: "Deployment"), proto: .tcp, port: 5432,
                        outcome: .allowed)
        for i in 0..<2 {
            var b = IngestBatch()
            b.edges[e] = EdgeStats(flows: Int64.max - 10, firstSeen: 1_000 + Int64(i), lastSeen: 2_000 + Int64(i))
            _ = try store.write(b, counts: IngestCounts(), path: "p\(i)", format: "flows", contentHash: "h\(i)", now: 0)
        }
        let edges = try store.edges()
        #expect(edges.count == 1)
        #expect(edges.first?.stats.flows == Int64.max)
        #expect(edges.first?.stats.firstSeen == 1_000 && edges.first?.stats.lastSeen == 2_001)
    }

    @Test("a new database is migrated once under the advisory lock, by whichever of 4 openers comes first")
    func concurrentMigration() throws {
        let pg = try PostgresHarness.server().createDatabase()
        let errors = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { _ = try FlowStore(path: pg) } catch {
                errors.lock()
                failures.append("\(error)")
                errors.unlock()
            }
        }
        #expect(failures.isEmpty)
        #expect(try FlowStore(path: pg).schemaVersion == PostgresMigrations.latest)
        let rows = try PostgresHarness.server().psql(PostgresHarness.database(of: pg), "SELECT count(*) FROM flowmap_migrations")
        #expect(rows.output.trimmingCharacters(in: .whitespacesAndNewlines) == "\(PostgresMigrations.latest)")
    }

    /// The store-identity check must see one moment of the database: probed in two statements ("is there a
    /// flowmap_migrations table?", then "which tables are there?"), a migration committing in between made
    /// FlowMap's own new tables read as another program's (a fleet ingest exited 2, 1 round in 53). Readers
    /// re-open in a loop while the migration runs, so some probe nearly always straddles its commit.
    @Test("opening while another process creates the store never calls FlowMap's own tables another program's")
    func identifyDuringMigration() throws {
        let h = try PostgresHarness.server()
        let errors = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        nonisolated(unsafe) var probes = 0
        for _ in 0..<8 {
            let pg = try h.createDatabase()
            let done = NSLock()
            nonisolated(unsafe) var migrated = false
            DispatchQueue.concurrentPerform(iterations: 4) { i in
                if i == 0 {
                    do { _ = try FlowStore(path: pg, verify: false) } catch {
                        errors.lock(); failures.append("writer: \(error)"); errors.unlock()
                    }
                    done.lock(); migrated = true; done.unlock()
                    return
                }
                while true {
                    done.lock(); let finished = migrated; done.unlock()
                    do {
                        _ = try FlowStore(path: pg, verify: false, readOnly: true)
                        errors.lock(); probes += 1; errors.unlock()
                        if finished { return }
                    } catch {
                        errors.lock(); probes += 1
                        // "An empty database" is the right answer before the migration commits.
                        if !"\(error)".contains("an empty database") { failures.append("reader: \(error)") }
                        errors.unlock()
                        if finished { return }
                    }
                }
            }
        }
        #expect(probes > 24)
        #expect(failures == [])
    }

    @Test("another program's database is refused and left untouched; reading verbs refuse an empty one")
    func refusesForeignDatabase() throws {
        let h = try PostgresHarness.server()
        let pg = try h.createDatabase()
        let name = PostgresHarness.database(of: pg)
        #expect(try h.psql(name, "CREATE TABLE orders (id int); INSERT INTO orders VALUES (7)").status == 0)
        #expect {
            _ = try FlowStore(path: pg)
        } throws: { "\($0)".contains("without FlowMap's flowmap_migrations table") && "\($0)".contains("orders") }
        #expect(try h.psql(name, "SELECT to_regclass('edge_buckets') IS NULL, (SELECT count(*) FROM orders)").output
            .trimmingCharacters(in: .whitespacesAndNewlines) == "t|1")
        let empty = try h.createDatabase()
        #expect {
            _ = try Generate.openExisting(empty)
        } throws: { "\($0)".contains("an empty database") }
        #expect(try h.psql(PostgresHarness.database(of: empty), "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            .output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test("a server that is not there: a located error naming the connection string without its password")
    func cannotConnect() throws {
        let port = try PostgresHarness.freePort()
        #expect {
            _ = try FlowStore(path: "postgresql://flowmap:secret@127.0.0.1:\(port)/nothing")
        } throws: { e in
            let s = "\(e)"
            return s.contains("postgresql://flowmap@127.0.0.1:\(port)/nothing") && s.contains("cannot open") && !s.contains("secret")
        }
    }

    @Test("connection strings: user, password, host, port, database, socket directory, sslmode; bad ones refused")
    func parsesLocations() throws {
        let a = try PostgresLocation("postgresql://fm:p%40ss@db.example:6432/flows?sslmode=require")
        #expect(a.user == "fm" && a.password == "p@ss" && a.host == "db.example" && a.port == 6432 && a.database == "flows")
        #expect(a.sslMode == "require" && a.display == "postgresql://fm@db.example:6432/flows")
        let b = try PostgresLocation("postgres://127.0.0.1/x", environment: ["PGUSER": "u", "PGPASSWORD": "pw"])
        #expect(b.user == "u" && b.password == "pw" && b.port == 5432 && b.database == "x")
        let c = try PostgresLocation("postgresql://fm@/flows?host=/run/postgresql&port=5433")
        #expect(c.socketDirectory == "/run/postgresql" && c.port == 5433)
        let d = try PostgresLocation("postgresql://fm@[::1]:7000/f")
        #expect(d.host == "::1" && d.port == 7000)
        #expect(PostgresLocation.isURL("postgres://x") && !PostgresLocation.isURL("flowmap.db"))
        #expect { _ = try PostgresLocation("postgresql://u:pw@h:99999/d") } throws: {
            "\($0)".contains("port") && !"\($0)".contains("pw@")
        }
        #expect { _ = try PostgresLocation("postgresql://h/d?sslmode=verify-full") } throws: { "\($0)".contains("sslmode") }
        #expect { _ = try PostgresLocation("postgresql://h/d?bogus=1") } throws: { "\($0)".contains("bogus") }
    }

    @Test("migration text splits into statements at semicolons outside quotes and comments")
    func splitsStatements() {
        let sql = "-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';'); -- b;\n\nINSERT INTO a VALUES ('x;y');\n-- end;\n"
        #expect(PostgresEngine.statements(sql) == ["-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';')",
                                                   "-- b;\n\nINSERT INTO a VALUES ('x;y')"])
        #expect(PostgresEngine.statements("BEGIN ISOLATION LEVEL READ COMMITTED") == ["BEGIN ISOLATION LEVEL READ COMMITTED"])
    }

    @Test("? placeholders become $n, outside quotes and comments")
    func numbersPlaceholders() {
        #expect(PostgresEngine.numbered("SELECT ? , '?' , \"a?\" -- ?\n, ?") == "SELECT $1 , '?' , \"a?\" -- ?\n, $2")
    }
}
