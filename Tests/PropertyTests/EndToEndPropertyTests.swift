@testable import Emit
import Foundation
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// Random clusters -> Evidence -> Inferrer -> NetworkPolicyEmitter YAML -> ManifestReader -> PolicyEvaluator,
/// checked on every (source pod, destination pod, protocol, port) tuple and every (pod, address) tuple against
/// the spec (`Expectation`). Same seeds as the plan-level test.
@Suite("Property: emitted NetworkPolicies allow exactly the evidence (FlowMap's evaluator)")
struct EndToEndPropertyTests {
    @Test("observed allowed => allowed, not observed => denied, through YAML", arguments: PlanPropertyTests.seeds)
    func exactnessThroughYAML(seed: UInt64) throws {
        let c = ClusterGenerator.make(seed: seed)
        let plan = Inferrer(options: ClusterGenerator.options(for: c)).infer(c.evidence)
        let m = ManifestCluster(c, plan: plan)
        let oracle = try EvaluatorOracle(m)
        let v = Expectation(c).violations(oracle)
        #expect(v.isEmpty, "seed \(seed):\n\(v.joined(separator: "\n"))")
    }

    @Test("the YAML check fails when the emitted policies lose a rule")
    func yamlCheckCanFail() throws {
        let c = ClusterGenerator.make(seed: 3)
        var plan = Inferrer(options: ClusterGenerator.options(for: c)).infer(c.evidence)
        let ni = try #require(plan.namespaces.firstIndex { $0.workloads.contains { !$0.ingress.isEmpty } })
        let wi = plan.namespaces[ni].workloads.firstIndex { !$0.ingress.isEmpty }!
        plan.namespaces[ni].workloads[wi].ingress.removeAll()
        let v = Expectation(c).violations(try EvaluatorOracle(ManifestCluster(c, plan: plan)))
        #expect(v.contains { $0.hasPrefix("observed but DENIED") })
    }
}
