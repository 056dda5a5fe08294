@testable import Emit
import Testing
@testable import Inference
@testable import Policy

/// `NetworkPolicyEmitter.policies(for:)` (what `generate`'s self-check evaluates) must be exactly what `check`
/// reads back from the emitted YAML.
@Suite("Policy model of a plan")
struct PolicyModelTests {
    static func readBack(_ plan: PolicyPlan) -> ManifestSet {
        ManifestReader.parse(text: NetworkPolicyEmitter(options: EmitSupport.options(.k8s)).stream(for: plan), file: "t")
    }

    static func sameModel(_ plan: PolicyPlan) -> [String] {
        let built = NetworkPolicyEmitter(options: EmitSupport.options(.k8s)).policies(for: plan)
        let read = readBack(plan)
        var problems = read.issues.map { "read back: \($0)" } + built.invalid.map { "built: \($0)" }
        var parsed = read.policies
        for i in parsed.indices { parsed[i].location = nil }
        if built.policies.count != parsed.count { problems.append("\(built.policies.count) built, \(parsed.count) read") }
        for (b, p) in zip(built.policies, parsed) where b != p { problems.append("\(b.qualifiedName) differs:\n\(b)\n\(p)") }
        return problems
    }

    @Test("the policy model equals the YAML read back: real samples, synthetic plan, colliding names")
    func equalsYAML() throws {
        for plan in [try EmitSupport.samplesPlan.get(), SyntheticPlan.plan, NameCollisionTests.plan] {
            let problems = Self.sameModel(plan)
            #expect(problems.isEmpty, "\(problems.prefix(3))")
        }
    }

    @Test("the comparison can fail: a rule the YAML does not have is seen")
    func canFail() throws {
        var plan = SyntheticPlan.plan
        let built = NetworkPolicyEmitter(options: EmitSupport.options(.k8s)).policies(for: plan)
        plan.namespaces[0].workloads[0].ingress = []
        var read = Self.readBack(plan).policies
        for i in read.indices { read[i].location = nil }
        #expect(built.policies != read)
    }
}
