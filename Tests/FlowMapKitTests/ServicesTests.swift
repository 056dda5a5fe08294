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

        // The YAML validates against the CiliumNetworkPolicy v2 CRD schema.
        let tmp = TestSupport.tempDir()
        let file = tmp.appendingPathComponent("cilium.yaml")
        TestSupport.write(text, to: file)
        let python = TestSupport.venv.appendingPathComponent("bin/python").path
        let schema = TestSupport.repoRoot
            .appendingPathComponent("Tests/EmitTests/Fixtures/cilium-schema/ciliumnetworkpolicy.v2.schema.json").path
        let script = TestSupport.repoRoot.appendingPathComponent("scripts/validate-cilium.py").path
        let (status, out) = try TestSupport.run(python, [script, "--schema", schema, file.path])
        #expect(status == 0 && out.contains(" valid, 0 invalid"), "\(out)")
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
}
