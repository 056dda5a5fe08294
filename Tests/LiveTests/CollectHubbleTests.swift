import Foundation
import FlowMapKit
import HubbleAPI
import Testing
import TestSupport

/// Issue 20: `flowmap collect --hubble ADDR` reads Hubble's gRPC API (the in-process fake server) instead of
/// running the hubble binary; the inventory still comes from kubectl (a stand-in script on PATH).
@Suite("collect --hubble", .serialized)
struct CollectHubbleTests {
    static let inventory = Samples.repoRoot.appendingPathComponent("samples/inventory/vpc-sample-cluster.json").path

    /// A PATH holding only a stand-in kubectl (no hubble) and the system tools; every call logged.
    static func standInPath(_ dir: URL) throws -> (path: String, log: URL) {
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("calls.log")
        let kubectl = bin.appendingPathComponent("kubectl")
        try "#!/bin/sh\necho \"kubectl $*\" >> '\(log.path)'\ncat '\(inventory)'\n"
            .write(to: kubectl, atomically: true, encoding: .utf8)
        chmod(kubectl.path, 0o755)
        return (bin.path + ":/usr/bin:/bin", log)
    }

    static func collect(_ path: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ProcessRunner.output("/usr/bin/env", ["PATH=\(path)", WatchCLITests.flowmap, "collect"] + args)
    }

    @Test("collect --hubble: kubectl's inventory, then the server's flows for the duration, the same store as ingesting both files; no hubble binary needed")
    func sameAsIngest() async throws {
        let flows = try HubbleGRPCTests.sorted()
        let observer = FakeObserver(events: flows.map(\.message))
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, log) = try Self.standInPath(dir)
        let db = dir.appendingPathComponent("c.db").path
        let r = try await onThread {
            // Long enough for the connection on a loaded machine (3s was not, with every suite running at once).
            try Self.collect(path, ["--hubble", server.address, "--duration", "10s", "--db", db, "-o", "json"])
        }
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
        #expect("\(doc)".contains("hubble gRPC \(server.address)"), "\(doc)")
        #expect(try String(contentsOf: log, encoding: .utf8)
                == "kubectl get namespaces,pods,services,endpointslices,nodes -A -o json\n")
        let req = try #require(observer.requests.withLock { $0.first })
        #expect(req.follow && req.whitelist.isEmpty)

        // The same evidence as `flowmap ingest inventory.json capture.jsonl`.
        let reference = dir.appendingPathComponent("r.db").path
        _ = try LiveSupport.ingest(Self.inventory, db: reference)
        let report = try LiveSupport.ingest(LiveSupport.capture(flows.map(\.line), in: dir), db: reference)
        #expect(report.total.accepted > 100)
        try LiveSupport.expectSameStore(db, reference)
    }

    @Test("collect --hubble -n: one allowlist filter per end and namespace; an unknown -n stops before any flow is read")
    func namespaces() async throws {
        let observer = FakeObserver(events: try HubbleGRPCTests.sorted().map(\.message))
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, _) = try Self.standInPath(dir)
        let db = dir.appendingPathComponent("c.db").path
        let r = try await onThread {
            try Self.collect(path, ["--hubble", server.address, "--duration", "6s", "--db", db, "-n", "ops", "-n", "ingest"])
        }
        #expect(r.status == 0, "\(r.stderr)")
        let req = try #require(observer.requests.withLock { $0.first })
        let filters = req.whitelist.map { ($0.sourcePod, $0.destinationPod) }
        #expect(filters.map { "\($0.0) \($0.1)" } == ["[\"ingest/\"] []", "[] [\"ingest/\"]", "[\"ops/\"] []", "[] [\"ops/\"]"],
                "\(filters)")

        let typo = try await onThread {
            try Self.collect(path, ["--hubble", server.address, "--duration", "1s", "--db", db, "-n", "opz"])
        }
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("--namespace opz: no such namespace in the cluster") && typo.stderr.contains("did you mean ops")
                && typo.stderr.contains("nothing was collected"), "\(typo.stderr)")
        #expect(observer.requests.withLock { $0.count } == 1, "no second read")
        let both = try Self.collect(path, ["--hubble", server.address, "--hubble-server", "x:1", "--duration", "1s"])
        #expect(both.status == 2 && both.stderr.contains("pass one"), "\(both.stderr)")
    }

    @Test("collect --hubble --tls…: the hubble CLI's TLS flags reach the connection (mTLS stores every flow); --tls without --hubble is refused")
    func mutualTLS() async throws {
        let (flows, server, path) = try await HubbleTLSTests.mutualTLSServer()
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (bin, _) = try Self.standInPath(dir)
        let db = dir.appendingPathComponent("c.db").path
        let tls = ["--tls", "--tls-ca-cert-files", path("ca.pem"), "--tls-client-cert-file", path("client.pem"),
                   "--tls-client-key-file", path("client.key"), "--tls-server-name", "relay.hubble.test"]
        let r = try await onThread {
            try Self.collect(bin, ["--hubble", server.address, "--duration", "10s", "--db", db, "-o", "json"] + tls)
        }
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
        let counts = try #require(doc["flows"] as? [String: Any], "\(doc)")
        #expect(counts["lines"] as? Int == flows.count, "\(counts)")

        // Without TLS the server (mTLS only) refuses: an error, not an empty capture that exits 0.
        let plain = try await onThread {
            try Self.collect(bin, ["--hubble", server.address, "--duration", "3s", "--db", db])
        }
        #expect(plain.status != 0, "\(plain.stderr)")
        let binary = try Self.collect(bin, ["--duration", "1s", "--db", db, "--tls"])
        #expect(binary.status == 2 && binary.stderr.contains("--tls* are for --hubble ADDR"), "\(binary.stderr)")
    }

    @Test("collect --hubble from a server with no flow in the duration: exit 0 with a warning saying where to look")
    func quiet() async throws {
        let server = try await LoopbackServer.start([FakeObserver(events: [])])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (bin, _) = try Self.standInPath(dir)
        let r = try await onThread {
            try Self.collect(bin, ["--hubble", server.address, "--duration", "2s", "--db",
                                   dir.appendingPathComponent("c.db").path])
        }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: no flow was read in 2s") && r.stderr.contains("hubble status"), "\(r.stderr)")
        #expect(r.stdout.contains("flows: 0 lines"), "\(r.stdout)")
    }
}
