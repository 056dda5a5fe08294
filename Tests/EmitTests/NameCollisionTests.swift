@testable import Emit
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// File and policy names that would collide get distinct, stable ones.
@Suite("Name collisions")
struct NameCollisionTests {
    static let selector: Labels = ["app": "x"]

    /// A namespace called `kustomization`, and in `shop` workloads whose plain names collide: the same name in
    /// two kinds next to a Deployment already called `web-statefulset`, and names that differ only in case.
    static var plan: PolicyPlan {
        func w(_ ns: String, _ name: String, _ kind: String = "Deployment") -> WorkloadPlan {
            SyntheticPlan.workload(ns, name, kind, selector: ["app": String((name.lowercased() + "-" + kind.lowercased()).suffix(40))])
        }
        return PolicyPlan(namespaces: [
            NamespacePlan(name: "kustomization", workloads: [w("kustomization", "app")]),
            NamespacePlan(name: "shop", workloads: [
                w("shop", "Api"), w("shop", "api"), w("shop", "web"), w("shop", "web", "StatefulSet"),
                w("shop", "web-statefulset"), w("shop", "a.b"), w("shop", "a-b"),
                w("shop", String(repeating: "long", count: 20) + "-one"), w("shop", String(repeating: "long", count: 20) + "-two"),
            ]),
        ], denied: [], warnings: [], firstSeen: SyntheticPlan.t0, lastSeen: SyntheticPlan.t1)
    }

    static func isLabel(_ s: String) -> Bool {
        s.count <= 63 && !s.hasPrefix("-") && !s.hasSuffix("-")
            && s.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
    }

    @Test("a namespace named kustomization does not replace kustomization.yaml", arguments: EmitOptions.Layout.allCases)
    func kustomizationNamespace(_ layout: EmitOptions.Layout) throws {
        let files = PolicyEmitter(options: EmitSupport.options(.k8s, layout)).files(for: Self.plan)
        let names = files.map(\.name)
        #expect(Set(names).count == names.count, "duplicate file names: \(names)")
        let k = try #require(files.first { $0.name == "kustomization.yaml" })
        #expect(Tree.at(try Tree.docs(k.text).first, "kind") as? String == "Kustomization")
        let listed = try #require(Tree.at(try Tree.docs(k.text).first, "resources") as? [String])
        #expect(listed.count == names.count - 3)  // all but the kustomization and the evidence report
        #expect(listed.contains { $0.hasPrefix("kustomization-") })
    }

    @Test("policy names within a namespace are distinct, valid and stable", arguments: EmitOptions.Flavor.allCases)
    func policyNames(_ flavor: EmitOptions.Flavor) throws {
        let e = PolicyEmitter(options: EmitSupport.options(flavor))
        let docs = try Tree.docs(e.stream(for: Self.plan))
        let shop = docs.filter { Tree.at($0, "metadata", "namespace") as? String == "shop" }
            .compactMap { Tree.at($0, "metadata", "name") as? String }
        #expect(shop.count == 10)
        #expect(Set(shop).count == shop.count, "colliding policy names: \(shop.sorted())")
        #expect(shop.allSatisfy(Self.isLabel), "\(shop)")
        #expect(e.stream(for: Self.plan) == e.stream(for: Self.plan))
        // Names that never collided keep their plain form.
        #expect(shop.contains("default-deny"))
        #expect(EmitCommon.allowNames(NamespacePlan(name: "shop", workloads: [Self.plan.namespaces[1].workloads[2]]))
                == ["allow-web"])
    }
}
