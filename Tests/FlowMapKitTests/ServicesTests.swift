import Foundation
import Testing
@testable import FlowMapKit
import FlowModel
import FlowStore
import Inference
import Policy
import Emit

/// `generate --flavor cilium --services` (docs/topologies.md, Services): an egress rule becomes `toServices` only
/// for a Service that selects exactly the observed workload; `check` evaluates `toServices` with the inventory's
/// Services, so it agrees with generate's self-check.
@Suite("generate --services (Cilium toServices)")
struct ServicesTests {
    static let dir = TestSupport.repoRoot.appendingPathComponent("Tests/FlowMapKitTests/Fixtures/services")
    static let flows = dir.appendingPathComponent("three-services.jsonl").path
    static let inventory = dir.appendingPathComponent("three-services-inventory.json").path

    static let frontend = Endpoint.workload("shop", "frontend", kind: "Deployment")
    static let backend = Endpoint.workload("shop", "backend", kind: "Deployment")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")
    static let legacy = Endpoint.workload("shop", "legacy", kind: "Deployment")

    static func store() throws -> String {
        let db = TestSupport.tempDir().appendingPathComponent("s.db").path
        let (r, issues) = try TestSupport.ingest([inventory, flows], db: db)
        #expect(issues.isEmpty, "\(issues)")
        #expect(r.failures.isEmpty, "\(r.failures)")
        return db
    }

    static func generate(_ db: String, services: Bool, flavor: EmitOptions.Flavor = .cilium,
                         out: String = "-") throws -> Generate.Report {
        var o = Generate.Options(db: db, out: out)
        o.emit.flavor = flavor
        o.inference.services = services
        return try Generate.run(o)
    }

    @Test("a Service selecting exactly the workload becomes toServices; one selecting more, or none, keeps the selector")
    func onlyExactServices() throws {
        let db = try Self.store()
        let r = try Self.generate(db, services: true)
        #expect(!r.selfCheck.failed, "\(r.selfCheck.findings)")
        #expect(r.selfCheck.edges == 3)
        let fe = try #require(r.plan.namespaces.flatMap(\.workloads).first { $0.endpoint == Self.frontend })
        func peer(_ r: RulePlan) -> String {
            if case .workload(let ep, _) = r.peer { return ep.description }
            return "\(r.peer)"
        }
        #expect(fe.egress.map { "\(peer($0)) \($0.services) \($0.toService ?? "-")" } == [
            "shop/api[Deployment] [\"shop/api-svc\"] -",
            "shop/backend[Deployment] [\"shop/backend-svc\"] shop/backend-svc",
            "shop/legacy[Deployment] [\"shop/legacy-svc\"] -",
        ])
        #expect(fe.notes.contains(.serviceKept(service: "shop/api-svc", peer: Self.api,
                                               reason: "the Service also selects shop/api-canary[Deployment]")))
        #expect(fe.notes.contains(.serviceKept(service: "shop/legacy-svc", peer: Self.legacy,
            reason: "the Service has no selector: toServices would select its addresses, not pods")))
        let text = try #require(r.stream)
        #expect(text.contains("""
                - toServices:  # shop/backend[Deployment]: 1-9 flows
            """), "\(text)")
        #expect(text.contains("""
                    - k8sService:
                        serviceName: backend-svc
                        namespace: shop
                  toPorts:
            """), "\(text)")
        #expect(text.components(separatedBy: "- toServices:").count - 1 == 1, "\(text)")
        #expect(text.contains("- toEndpoints:  # shop/api[Deployment]"), "\(text)")
        #expect(text.contains("via Service shop/legacy-svc: not written as toServices"), "\(text)")
        // Its YAML against the CiliumNetworkPolicy v2 CRD schema: OracleTests TopologySchemaTests.
    }

    @Test("check of the written policies agrees (the inventory's Services reach the evaluator); without them it denies")
    func checkAgrees() throws {
        let db = try Self.store()
        let out = TestSupport.tempDir().appendingPathComponent("policies").path
        let g = try Self.generate(db, services: true, out: out)
        #expect(g.written && !g.selfCheck.failed)
        let c = try Check.run(Check.Options(policies: [out], db: db))
        #expect(c.report.deniedConnections == 0 && c.report.allowedConnections == 3, "\(c.report.denied)")

        // The same policies over the same store, but an evaluator without the Services: toServices selects
        // nothing, so the connection to backend is denied (what check would say if it were not given them).
        let loaded = try PolicyInputs.load([out], accept: PolicyInputs.Acceptance(), requirePolicies: true)
        let (data, edges) = try PolicyInputs.store(db)
        #expect(!data.services.isEmpty)
        var bare = data
        bare.services = []
        let r = Check.Evaluation(manifests: loaded.manifests, data: bare, edges: edges, options: EvaluatorOptions())
            .report()
        #expect(r.denied.map { "\($0.source) -> \($0.destination)" }
                == ["shop/frontend[Deployment] -> shop/backend[Deployment]"])
    }

    @Test("without --services the Cilium flavour writes no toServices; --services with --flavor k8s is refused")
    func offAndRefused() throws {
        let db = try Self.store()
        let r = try Self.generate(db, services: false)
        #expect(!(r.stream ?? "").contains("toServices"))
        #expect(r.plan.namespaces.flatMap(\.workloads).allSatisfy { w in w.egress.allSatisfy { $0.toService == nil } })
        #expect(throws: Generate.Failure.self) { try Self.generate(db, services: true, flavor: .k8s) }
    }

    /// The three Hubble connections as IP-only records addressed to the Services' ClusterIPs (10.96.0.22:8080,
    /// 10.96.0.33:9000, 10.96.0.44:7000), two each: generic JSON lines and a VPC flow log (version 5 fields).
    static func ipOnlyCaptures() -> [(name: String, path: String)] {
        let dir = TestSupport.tempDir()
        var generic = "", vpc = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
            + "start end action log-status tcp-flags flow-direction\n"
        for (i, (ip, port)) in [("10.96.0.22", 8080), ("10.96.0.33", 9000), ("10.96.0.44", 7000)].enumerated() {
            for n in 0..<2 {
                let sport = 40000 + 10 * i + n
                generic += "{\"time\": \(1795168800 + n), \"src_ip\": \"10.1.0.11\", \"dst_ip\": \"\(ip)\", \"proto\": \"tcp\", "
                    + "\"src_port\": \(sport), \"dst_port\": \(port), \"is_reply\": false}\n"
                vpc += "5 123456789012 eni-0aaaaaaaaaaaaaaaa 10.1.0.11 \(ip) \(sport) \(port) 6 1 60 \(1795168800 + n) "
                    + "\(1795168800 + n) ACCEPT OK 2 egress\n"
            }
        }
        let g = dir.appendingPathComponent("records.jsonl"), v = dir.appendingPathComponent("flows.log")
        TestSupport.write(generic, to: g)
        TestSupport.write(vpc, to: v)
        return [("generic", g.path), ("vpc", v.path)]
    }

    @Test("VPC and generic records addressed to a ClusterIP: the Service is named in the evidence, and --services writes toServices")
    func ipOnlyRecordsNameTheService() throws {
        let canary = Endpoint.workload("shop", "api-canary", kind: "Deployment")
        for (name, path) in Self.ipOnlyCaptures() {
            let db = TestSupport.tempDir().appendingPathComponent("\(name).db").path
            let (r, issues) = try TestSupport.ingest([Self.inventory, path], db: db)
            #expect(issues.isEmpty, "\(name): \(issues)")
            #expect(r.failures.isEmpty, "\(name): \(r.failures)")
            // A ClusterIP stands for every backend of its Service (api-svc also selects the canary).
            #expect(try FlowStore(path: db).services() == [
                Self.backend: ["shop/backend-svc"], Self.api: ["shop/api-svc"], canary: ["shop/api-svc"],
                Self.legacy: ["shop/legacy-svc"],
            ], "\(name)")
            func rules(_ r: Generate.Report) throws -> [String] {
                let fe = try #require(r.plan.namespaces.flatMap(\.workloads).first { $0.endpoint == Self.frontend })
                return fe.egress.map { rule in
                    guard case .workload(let ep, _) = rule.peer else { return "\(rule.peer)" }
                    return "\(ep) \(rule.services) \(rule.toService ?? "-")"
                }
            }
            // Every flavour names the Services in the evidence (RulePlan.services, the evidence report's rules).
            let k8s = try Self.generate(db, services: false, flavor: .k8s)
            #expect(!k8s.selfCheck.failed, "\(name): \(k8s.selfCheck.findings)")
            #expect(try rules(k8s) == [
                "shop/api[Deployment] [\"shop/api-svc\"] -", "shop/api-canary[Deployment] [\"shop/api-svc\"] -",
                "shop/backend[Deployment] [\"shop/backend-svc\"] -", "shop/legacy[Deployment] [\"shop/legacy-svc\"] -",
            ], "\(name)")
            let cilium = try Self.generate(db, services: true)
            #expect(!cilium.selfCheck.failed, "\(name): \(cilium.selfCheck.findings)")
            #expect(try rules(cilium) == [
                "shop/api[Deployment] [\"shop/api-svc\"] -", "shop/api-canary[Deployment] [\"shop/api-svc\"] -",
                "shop/backend[Deployment] [\"shop/backend-svc\"] shop/backend-svc",
                "shop/legacy[Deployment] [\"shop/legacy-svc\"] -",
            ], "\(name)")
            let text = try #require(cilium.stream)
            #expect(text.components(separatedBy: "- toServices:").count - 1 == 1, "\(name): \(text)")
        }
    }
}
