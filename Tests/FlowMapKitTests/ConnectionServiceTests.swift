import Foundation
import Testing
@testable import FlowMapKit
import FlowModel
import FlowStore
import Inference
import Emit
import TestSupport

/// Issue 23, schema 14: the Service a flow was addressed to is kept per connection (edge, bucket, source), so a
/// rule names (and `--services` writes as `toServices`) only the Services its own connections went through. The
/// capture (`Fixtures/services/direct-and-service.jsonl`): shop/frontend reaches shop/backend TCP 8080 through
/// `shop/backend-svc`, shop/batch reaches the same port by the pod's IP.
@Suite("Services per connection (schema 14)")
struct ConnectionServiceTests {
    static let fixture = ServicesTests.dir.appendingPathComponent("direct-and-service.jsonl").path
    static let frontend = ServicesTests.frontend, backend = ServicesTests.backend, api = ServicesTests.api
    static let batch = Endpoint.workload("shop", "batch", kind: "Deployment")
    static func edge(_ from: Endpoint) -> EdgeKey {
        EdgeKey(source: from, destination: backend, proto: .tcp, port: 8080, outcome: .allowed)
    }

    static func store(_ paths: [String]) throws -> String {
        let db = TestSupport.tempDir().appendingPathComponent("s.db").path
        let (r, issues) = try TestSupport.ingest(paths, db: db)
        #expect(issues.isEmpty, "\(issues)")
        #expect(r.failures.isEmpty, "\(r.failures)")
        return db
    }

    static func services(_ db: String, _ from: Endpoint) throws -> Set<String>? {
        try FlowStore(path: db).connectionAddresses().services(edge(from))
    }

    /// Each rule of `w` towards or from shop/backend: "direction peer [services] toService".
    static func rules(_ r: Generate.Report, _ w: Endpoint) throws -> [String] {
        let plan = try #require(r.plan.namespaces.flatMap(\.workloads).first { $0.endpoint == w })
        func line(_ dir: String, _ rule: RulePlan) -> String {
            guard case .workload(let ep, _) = rule.peer else { return "\(dir) \(rule.peer)" }
            return "\(dir) \(ep) \(rule.services) \(rule.toService ?? "-")"
        }
        return plan.ingress.map { line("in", $0) } + plan.egress.map { line("out", $0) }
    }

    @Test("Hubble: only the connection addressed to the Service names it; --services writes toServices for it only",
          arguments: [EmitOptions.Flavor.k8s, .cilium])
    func onlyItsOwnConnections(_ flavor: EmitOptions.Flavor) throws {
        let db = try Self.store([ServicesTests.inventory, Self.fixture])
        #expect(try Self.services(db, Self.frontend) == ["shop/backend-svc"])
        #expect(try Self.services(db, Self.batch) == [], "batch reached the pod IP")
        let r = try ServicesTests.generate(db, services: flavor == .cilium, flavor: flavor)
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        let written = flavor == .cilium ? "shop/backend-svc" : "-"
        #expect(try Self.rules(r, Self.frontend) == ["out shop/backend[Deployment] [\"shop/backend-svc\"] \(written)"])
        #expect(try Self.rules(r, Self.batch) == ["out shop/backend[Deployment] [] -"])
        #expect(try Self.rules(r, Self.backend) == ["in shop/batch[Deployment] [] -",
                                                    "in shop/frontend[Deployment] [\"shop/backend-svc\"] -"])
        let report = EvidenceReport(plan: r.plan, version: "test")
        #expect(report.rules.filter { $0.services != nil }.map { "\($0.direction) \($0.workload) \($0.peer)" }.sorted()
                == ["egress shop/frontend[Deployment] shop/backend[Deployment]",
                    "ingress shop/backend[Deployment] shop/frontend[Deployment]"], "\(report.markdown)")
        let text = try #require(r.stream)
        #expect(text.components(separatedBy: "- toServices:").count - 1 == (flavor == .cilium ? 1 : 0), "\(text)")
        if flavor == .cilium {
            #expect(text.contains("- toServices:  # shop/backend[Deployment]"), "\(text)")
            #expect(text.contains("- toEndpoints:  # shop/backend[Deployment]"), "batch keeps the selector: \(text)")
        }
    }

    @Test("VPC and generic records: a ClusterIP destination names the Service on that connection, a pod IP none")
    func ipOnlyRecords() throws {
        let dir = TestSupport.tempDir()
        var generic = "", vpc = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
            + "start end action log-status tcp-flags flow-direction\n"
        // frontend (10.1.0.11) -> backend-svc's ClusterIP; api (10.1.0.33) -> backend's pod IP.
        for (i, (src, dst)) in [("10.1.0.11", "10.96.0.22"), ("10.1.0.33", "10.1.0.22")].enumerated() {
            for n in 0..<2 {
                let sport = 40000 + 10 * i + n
                generic += "{\"time\": \(1795168800 + n), \"src_ip\": \"\(src)\", \"dst_ip\": \"\(dst)\", \"proto\": \"tcp\", "
                    + "\"src_port\": \(sport), \"dst_port\": 8080, \"is_reply\": false}\n"
                vpc += "5 123456789012 eni-0aaaaaaaaaaaaaaaa \(src) \(dst) \(sport) 8080 6 1 60 \(1795168800 + n) "
                    + "\(1795168800 + n) ACCEPT OK 2 egress\n"
            }
        }
        let g = dir.appendingPathComponent("records.jsonl"), v = dir.appendingPathComponent("flows.log")
        TestSupport.write(generic, to: g)
        TestSupport.write(vpc, to: v)
        for (name, path) in [("generic", g.path), ("vpc", v.path)] {
            let db = try Self.store([ServicesTests.inventory, path])
            #expect(try Self.services(db, Self.frontend) == ["shop/backend-svc"], "\(name)")
            #expect(try Self.services(db, Self.api) == [], "\(name)")
            let r = try ServicesTests.generate(db, services: true)
            #expect(!r.selfCheck.failed, "\(name): \(r.selfCheck.findings)")
            #expect(try Self.rules(r, Self.frontend) == ["out shop/backend[Deployment] [\"shop/backend-svc\"] shop/backend-svc"],
                    "\(name)")
            #expect(try Self.rules(r, Self.api) == ["out shop/backend[Deployment] [] -"], "\(name)")
        }
    }

    @Test("Calico: dest_service_* names the Service on that record's connection only")
    func calico() throws {
        func record(_ source: String, service: Bool) -> String {
            let svc = service ? #""dest_service_name": "api", "dest_service_namespace": "shop", "dest_service_port": "http", "#
                : ""
            return """
                {"start_time": 1714557610, "end_time": 1714557810, "source_ip": null, "source_name": "-", \
                "source_name_aggr": "\(source)-7d4b9c8f6d-*", "source_namespace": "shop", "source_type": "wep", \
                "source_labels": {"labels": ["app=\(source)", "pod-template-hash=7d4b9c8f6d"]}, "source_port": null, \
                "dest_ip": null, "dest_name": "-", "dest_name_aggr": "api-5f6d7c8b9d-*", "dest_namespace": "shop", \
                "dest_type": "wep", "dest_labels": {"labels": ["app=api", "pod-template-hash=5f6d7c8b9d"]}, \
                "dest_port": 8080, \(svc)"proto": "tcp", "action": "allow", "reporter": "src", "num_flows": 3}
                """
        }
        let file = TestSupport.tempDir().appendingPathComponent("calico.log")
        TestSupport.write(record("web", service: true) + "\n" + record("batch", service: false) + "\n", to: file)
        let db = try Self.store([file.path])
        let store = try FlowStore(path: db)
        let api = Endpoint.workload("shop", "api", kind: "ReplicaSet"), c = try store.connectionAddresses()
        let byName = Dictionary(uniqueKeysWithValues: try store.edges().map { ($0.key.source.name, $0.key) })
        #expect(byName.count == 2 && byName.values.allSatisfy { $0.destination.name == "api" }, "\(byName)")
        #expect(c.services(try #require(byName["web"])) == ["shop/api:http"])
        #expect(c.services(try #require(byName["batch"])) == [])
        #expect(try store.services().values.flatMap { $0 } == ["shop/api:http"], "per destination as before: \(api)")
        let r = try ServicesTests.generate(db, services: false, flavor: .k8s)
        let named = r.plan.namespaces.flatMap(\.workloads).flatMap { w in
            (w.ingress + w.egress).filter { !$0.services.isEmpty }.map { _ in w.endpoint.name }
        }
        #expect(named.sorted() == ["api", "web"], "web's egress and api's ingress from web only")
    }

    /// A second capture at 12:00: batch reaches backend through the Service this time.
    static func laterCapture(_ dir: URL) throws -> String {
        let lines = try String(contentsOfFile: fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        let later = lines[2].replacingOccurrences(of: "2026-11-20T10:00:30", with: "2026-11-20T12:00:30")
            .replacingOccurrences(of: #","Summary""#, with: #","destination_service":{"name":"backend-svc","namespace":"shop"},"Summary""#)
        #expect(later.contains("destination_service") && later.contains("12:00:30"))
        let b = dir.appendingPathComponent("b.jsonl")
        TestSupport.write(later + "\n", to: b)
        return b.path
    }

    @Test("forget, prune, merge and export keep each connection's Services exact")
    func storeOperations() throws {
        let dir = TestSupport.tempDir()
        let a = Self.fixture, b = try Self.laterCapture(dir)
        let both = try Self.store([a, b])
        #expect(try Self.services(both, Self.batch) == ["shop/backend-svc"], "12:00 went through the Service")
        #expect(try Export.run(db: both, format: .jsonl).split(separator: "\n")
                    .filter { $0.contains(#""src_name":"batch""#) }.map { $0.contains(#""dst_services":["shop/backend-svc"]"#) }
                == [false, true], "the 10:00 bucket direct, the 12:00 one through the Service")

        let pruned = dir.appendingPathComponent("pruned.db").path
        try FileManager.default.copyItem(atPath: both, toPath: pruned)
        _ = try Prune.run(db: pruned, before: Timestamp.parseRFC3339("2026-11-20T11:00:00Z")!)
        #expect(try Self.services(pruned, Self.batch) == ["shop/backend-svc"])
        #expect(try Self.services(pruned, Self.frontend) == nil || Self.services(pruned, Self.frontend) == [],
                "frontend's only bucket is gone")

        let forgotten = dir.appendingPathComponent("forgotten.db").path
        try FileManager.default.copyItem(atPath: both, toPath: forgotten)
        _ = try Forget.run(db: forgotten, source: b)
        #expect(try Self.services(forgotten, Self.batch) == [], "b's Service went with b")
        #expect(try Self.services(forgotten, Self.frontend) == ["shop/backend-svc"])

        let na = try Self.store([a]), nb = try Self.store([b])
        let merged = dir.appendingPathComponent("merged.db").path
        let r = try Merge.run(db: merged, inputs: [na, nb])
        #expect(r.refused == 0 && r.added == 2)
        #expect(try FlowStore(path: merged).connectionAddresses() == FlowStore(path: both).connectionAddresses())
        #expect(try EvidenceStoreTests.snapshot(merged) == EvidenceStoreTests.snapshot(both))
    }

    @Test("a store from before schema 14 migrates: Services per connection unknown, evidence only, never toServices")
    func migratedStore() throws {
        let dir = TestSupport.tempDir()
        let db = try Self.store([ServicesTests.inventory, Self.fixture])
        // As a schema-13 store: without the new tables, its version lowered; opening it runs 0014.
        let (status, out) = try TestSupport.run("/usr/bin/sqlite3", [db, """
            DROP TABLE edge_bucket_services; DROP TABLE sources_before_edge_services; PRAGMA user_version = 13;
            """])
        #expect(status == 0, "\(out)")
        #expect(try FlowStore(path: db).schemaVersion == Migrations.latest)
        #expect(try Self.services(db, Self.frontend) == nil && Self.services(db, Self.batch) == nil, "unknown, not empty")
        let r = try ServicesTests.generate(db, services: true)
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        // The evidence falls back to the destination's Services; toServices is refused for both, with a note.
        #expect(try Self.rules(r, Self.frontend) == ["out shop/backend[Deployment] [\"shop/backend-svc\"] -"])
        #expect(try Self.rules(r, Self.batch) == ["out shop/backend[Deployment] [\"shop/backend-svc\"] -"])
        let batch = try #require(r.plan.namespaces.flatMap(\.workloads).first { $0.endpoint == Self.batch })
        #expect(batch.notes.contains { if case .serviceKept(_, _, let why) = $0 { why.contains("schema 14") } else { false } },
                "\(batch.notes)")
        #expect(r.plan.warnings.contains(.servicesPerDestination(owner: Self.batch, services: ["shop/backend-svc"])))
        #expect(try #require(r.stream).components(separatedBy: "- toServices:").count == 1)
        // A merge carries which sources are from before schema 14; forgetting them leaves the known ones.
        let merged = dir.appendingPathComponent("merged.db").path
        _ = try Merge.run(db: merged, inputs: [db])
        #expect(try Self.services(merged, Self.frontend) == nil)
        let b = try Self.laterCapture(dir)
        let (ri, issues) = try TestSupport.ingest([b], db: db)
        #expect(issues.isEmpty && ri.failures.isEmpty)
        #expect(try Self.services(db, Self.batch) == nil, "the edge still has evidence from the old source")
        _ = try Forget.run(db: db, source: Self.fixture)
        #expect(try Self.services(db, Self.batch) == ["shop/backend-svc"])
    }
}
