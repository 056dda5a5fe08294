import Foundation
import Testing
import FlowModel
@testable import FlowStore

/// A batch is written to PostgreSQL in a few statements whatever its size (each table's rows bound as arrays,
/// `Database.insert`), in one row order for every writer: concurrent writers of the same (edge, bucket) keys
/// wait for each other on those rows, lose no count, and never deadlock.
@Suite("PostgreSQL bulk writes", .serialized)
struct BulkWriteTests {
    static let web = Endpoint.workload("shop", "web", kind: "Deployment")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")

    /// `n` edges web -> api on ports 1...n (each one flow at `time`), with an L7 request, a label set, an
    /// address, a listening port and namespace labels: every table a batch writes.
    static func batch(edges n: Int, time: Int64 = 1_000_000_000) -> IngestBatch {
        var b = IngestBatch()
        for port in 1...n {
            let k = EdgeKey(source: web, destination: api, proto: .tcp, port: UInt16(port), outcome: .allowed)
            b.edges[k] = EdgeStats(flows: 1, firstSeen: time, lastSeen: time + Int64(port))
            b.l7[L7Key(edge: k, request: .http(method: "GET", path: "/p\(port)"))] = EdgeStats(flows: 1, firstSeen: time,
                                                                                                lastSeen: time)
            b.listening[ListeningPort(endpoint: api, proto: .tcp, port: UInt16(port))] = 1
        }
        b.labelSets[web] = ["app=web"]
        b.addresses[api] = ["10.0.0.2"]
        b.namespaceLabels["shop"] = ["team": "a"]
        return b
    }

    static func engine(_ s: FlowStore) -> PostgresEngine {
        guard case .postgres(let p) = s.db.backend else { preconditionFailure("not PostgreSQL") }
        return p
    }

    @Test("a batch of 2,000 edges is a few statements on PostgreSQL, not one or more per row")
    func fewStatements() throws {
        let pg = try PostgresHarness.server().createDatabase()
        let store = try FlowStore(path: pg)
        let p = Self.engine(store)
        let before = p.statements
        _ = try store.write(Self.batch(edges: 2_000), counts: IngestCounts(), path: "a", format: "hubble",
                            contentHash: "h-a", now: 1)
        let used = p.statements - before
        // Begin, locks, duplicate check, source rows, bucket width, endpoints (2), points, reasons, L7, facts,
        // namespaces, listening ports, bucket rows (lock, read, write), commit: about 20, whatever the rows.
        #expect(used < 40, "\(used) statements for one batch")
        let edges = try store.edges()
        #expect(edges.count == 2_000 && edges.allSatisfy { $0.stats.flows == 1 })
        #expect(try store.l7().values.map(\.count).reduce(0, +) == 2_000)
        #expect(try store.listeningPorts().count == 2_000)
    }

    @Test("rows of one key in one bulk insert apply one after another on PostgreSQL, as the one-row statements do on SQLite")
    func repeatedKeys() throws {
        let dir = PostgresStoreTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Key (1, 2, tcp, 80, allowed, 0, "", 7) three times, another key once.
        let key: [Value] = [.int(1), .int(2), .text("tcp"), .int(80), .text("allowed"), .int(0), .text(""), .int(7)]
        let other: [Value] = [.int(1), .int(2), .text("tcp"), .int(81), .text("allowed"), .int(0), .text(""), .int(7)]
        let rows = [key + [.int(5), .int(30), .int(40)], other + [.int(1), .int(1), .int(1)],
                    key + [.int(2), .int(10), .int(20)], key + [.int(Int64.max), .int(50), .int(60)]]
        var results: [[String]] = []
        for db in [dir.appendingPathComponent("s.db").path, try PostgresHarness.server().createDatabase()] {
            let store = try FlowStore(path: db)
            try store.db.transaction { try store.db.insert(FlowStore.upsertBucketPoints, rows) }
            let q = try store.db.prepare("SELECT port, flows, first_seen, last_seen FROM edge_bucket_points ORDER BY port")
            var out: [String] = []
            while try q.step() { out.append("\(q.int(0)) \(q.int(1)) \(q.int(2)) \(q.int(3))") }
            results.append(out)
        }
        #expect(results[0] == ["80 \(Int64.max) 10 60", "81 1 1 1"])
        #expect(results[1] == results[0])
    }

    @Test("4 concurrent writers of the same 500 (edge, bucket) keys: every count exact, and no deadlock to retry")
    func sharedKeys() throws {
        let pg = try PostgresHarness.server().createDatabase()
        _ = try FlowStore(path: pg)  // migrated before the race
        let writers = 4, batches = 5, edges = 500
        /// What the writer threads report.
        final class Reports: @unchecked Sendable {
            let lock = NSLock()
            var failures: [String] = []
            var retries = 0
        }
        let reports = Reports()
        let done = DispatchSemaphore(value: 0)
        for w in 0..<writers {
            Thread {
                defer { done.signal() }
                do {
                    let store = try FlowStore(path: pg)
                    for i in 0..<batches {
                        _ = try store.write(Self.batch(edges: edges), counts: IngestCounts(), path: "w\(w)-\(i)",
                                            format: "hubble", contentHash: "h-\(w)-\(i)", now: Int64(i))
                    }
                    let r = Self.engine(store).retries
                    reports.lock.withLock { reports.retries += r }
                } catch {
                    reports.lock.withLock { reports.failures.append("writer \(w): \(error)") }
                }
            }.start()
        }
        for _ in 0..<writers { done.wait() }
        let failures = reports.failures, retries = reports.retries
        #expect(failures == [])
        #expect(retries == 0, "transactions were run again after a deadlock or serialization failure")
        let store = try FlowStore(path: pg)
        let all = try store.edges()
        #expect(all.count == edges)
        #expect(all.allSatisfy { $0.stats.flows == Int64(writers * batches) },
                "counts \(Set(all.map(\.stats.flows)).sorted())")
        #expect(try store.listeningPorts().values.allSatisfy { $0 == Int64(writers * batches) })
        #expect(try store.sources().count == writers * batches)
    }
}
