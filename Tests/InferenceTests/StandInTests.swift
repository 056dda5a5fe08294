import FlowModel
import Testing
@testable import Inference

/// Issue 14: stand-in addresses must not become ipBlocks or extra rules (`StandIns`).
@Suite("Inference: stand-ins join the connection they stand for")
struct StandInTests {
    let product = Fx.w("bookinfo", "productpage-v1"), reviews = Fx.w("bookinfo", "reviews-v1")
    let reviews2 = Fx.w("bookinfo", "reviews-v2")
    var labels: [Endpoint: [Labels]] {
        [product: [["app": "productpage", "version": "v1"]], reviews: [["app": "reviews", "version": "v1"]],
         reviews2: [["app": "reviews", "version": "v2"]]]
    }

    @Test("a Hubble identity without a pod name is the workload its labels select")
    func labelIdentity() throws {
        let leg = Endpoint.workload("bookinfo", "productpage", kind: Endpoint.labelIdentityKind)
        var l = labels
        l[leg] = [["app": "productpage", "version": "v1"]]
        let ev = Evidence(edges: [Fx.edge(product, reviews, .tcp, 9080, flows: 4),
                                  Fx.edge(leg, reviews, .tcp, 9080, flows: 3)], labelSets: l)
        let plan = Inferrer().infer(ev)
        let r = try #require(Fx.plan(reviews, in: plan))
        #expect(r.ingress.map(\.peer) == [.workload(product, selector: ["app": "productpage"])])
        #expect(r.ingress.first?.ports.first?.flows == 7)
        #expect(plan.namespaces.flatMap(\.workloads).allSatisfy { $0.endpoint.workloadKind != Endpoint.labelIdentityKind })
    }

    @Test("labels that select several workloads (or none): a Deployment named by its app label, with a warning")
    func ambiguousLabelIdentity() throws {
        let leg = Endpoint.workload("bookinfo", "reviews", kind: Endpoint.labelIdentityKind)
        var l = labels
        l[leg] = [["app": "reviews"]]
        let plan = Inferrer().infer(Evidence(edges: [Fx.edge(leg, product, .tcp, 9080)], labelSets: l))
        #expect(plan.warnings.contains { $0.description.hasPrefix("bookinfo/reviews[LabelIdentity]: a Hubble identity without a pod name whose labels select 2 workloads (bookinfo/reviews-v1[Deployment], bookinfo/reviews-v2[Deployment])") })
        // Unresolved, it keeps the name it had before this rule (and the selector chooser's ambiguity warning).
        #expect(Fx.plan(product, in: plan)?.ingress.map(\.peer)
                == [.workload(Fx.w("bookinfo", "reviews"), selector: ["app": "reviews"])])
    }

    @Test("remote-node at the receiving node joins the pod-to-pod connection: no ipBlock, no entity rule")
    func remoteNodeJoins() throws {
        var ev = Evidence(edges: [Fx.edge(product, reviews, .tcp, 9080), Fx.edge(.reserved("remote-node"), reviews, .tcp, 9080),
                                  Fx.edge(.reserved("remote-node"), reviews, .tcp, 15021)],
                          labelSets: labels)
        ev.addresses[.reserved("remote-node")] = ["172.18.0.3"]
        let plan = Inferrer().infer(ev)
        let r = try #require(Fx.plan(reviews, in: plan))
        // 9080 joined the observed connection; 15021 (no pod-to-pod connection on it) keeps its node rule.
        #expect(r.ingress.map { "\(EmitText.peer($0.peer)) \(Fx.ports($0))" }
                == ["bookinfo/productpage-v1 [\"TCP/9080\"]", "172.18.0.3/32 [\"TCP/15021\"]"])
        #expect(r.ingressEntities.map { "\($0.entity) \($0.ports.map(\.port))" } == ["remote-node [15021]"])
        #expect(plan.warnings.contains { $0.description.hasPrefix("reserved:remote-node -> bookinfo/reviews-v1[Deployment] TCP/9080: joined") })
    }
}

/// Short peer text for expectations.
enum EmitText {
    static func peer(_ p: PeerPlan) -> String {
        switch p {
        case .workload(let e, _): return "\(e.namespace)/\(e.name)"
        case .ipBlock(let c, _, _): return c
        case .namespace(let n): return "namespace \(n)"
        }
    }
}
