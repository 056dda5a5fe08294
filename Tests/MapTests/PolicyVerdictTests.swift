import Foundation
import Testing
@testable import FlowMapKit
import FlowIngest
import FlowStore
import Inference
import Policy
import FlowMapView
import FlowModel

@Suite("Map with --policies: edges coloured by the Policy evaluator's verdict")
struct PolicyVerdictTests {
    /// A store with the fixture's edges and labels for every workload.
    static func fixtureStore() throws -> String {
        let db = MapSupport.tempDir().appendingPathComponent("f.db").path
        let store = try FlowStore(path: db)
        var b = IngestBatch()
        for e in Fixture.edges { b.edges[e.key] = e.stats }
        for w in [Fixture.front, Fixture.cart, Fixture.dns, Fixture.idle] {
            b.labelSets[w] = [["app": w.name].canonical]
        }
        b.namespaceLabels["shop"] = ["team": "shop"]
        _ = try store.write(b, counts: IngestCounts(), path: "fixture", format: "test", contentHash: nil, now: 0)
        return db
    }

    static let policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: shop}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-cart, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: cart}}
          policyTypes: [Ingress]
          ingress:
          - from: [{podSelector: {}}]
            ports: [{protocol: TCP, port: 8080}]
        """

    @Test("observed edges split into allowed / denied; unobserved allowed pairs appear; drops stay drops")
    func fixtureVerdicts() throws {
        let db = try Self.fixtureStore()
        let file = MapSupport.tempDir().appendingPathComponent("p.yaml")
        try Self.policies.write(to: file, atomically: true, encoding: .utf8)
        var o = Map.Options(db: db)
        o.policies = file.path
        o.format = .dot
        let r = try Map.run(o)
        #expect(r.policies == 2)
        #expect(r.policyNotes.isEmpty)
        let g = r.graph
        #expect(g.hasVerdicts)
        func node(_ label: String) -> String { g.nodes.first { $0.label == label }!.id }
        func status(_ s: String, _ t: String) -> [EdgeStatus] {
            g.edges.filter { $0.source == node(s) && $0.target == node(t) }.map(\.status)
        }
        let fc = g.edges.filter { $0.source == node("frontend") && $0.target == node("cart") }
        #expect(fc.map(\.status) == [.allowedObserved, .observedDenied])
        #expect(fc.map(\.ports) == [["TCP 8080"], ["TCP 9090"]])
        #expect(fc.first?.evidence.first?.note.contains("shop/allow-cart") == true)
        // frontend is ingress-isolated by default-deny: the public sources would be cut off.
        #expect(status("public internet", "frontend") == [.observedDenied])
        // frontend's egress is not isolated and coredns is not selected by any policy.
        #expect(status("frontend", "coredns") == [.allowedObserved])
        // Dropped at capture stays dropped.
        #expect(status("cart", "frontend") == [.dropped])
        // host -> cart is own-node traffic: always allowed.
        #expect(status("host", "cart") == [.allowedObserved])
        // idle -> cart is allowed on 8080 by the podSelector {} rule but never seen.
        let unused = g.edges.filter { $0.status == .allowedUnobserved }
        #expect(unused.map { [$0.source, $0.target] } == [[node("idle"), node("cart")]])
        #expect(unused.first?.ports == ["TCP 8080"])
        let (st, _) = try MapSupport.dotSVG(try #require(r.text))
        #expect(st == 0)
    }

    @Test("FlowMap's own generated policies, checked against the demo traffic")
    func demoGenerated() throws {
        let db = try MapSupport.demoStore()
        let dir = MapSupport.tempDir().appendingPathComponent("policies").path
        let generated = try Generate.run(Generate.Options(db: db, out: dir, allowBreaks: true))
        var o = Map.Options(db: db)
        o.policies = dir
        let r = try Map.run(o)
        let g = r.graph
        #expect((r.policies ?? 0) > 10)
        let allowed = g.edges.filter { $0.status == .allowedObserved }
        #expect(allowed.count > 20)
        // Every observed workload-to-workload edge is allowed by the generated policies, except where inference
        // warned that an end has no stable labels to write a rule with.
        let byID = Dictionary(uniqueKeysWithValues: g.nodes.map { ($0.id, $0) })
        let unlabelled = Set(generated.plan.warnings.compactMap { w -> String? in
            switch w {
            case .unselectablePeer(let e), .unselectableWorkload(let e): return e.description
            default: return nil
            }
        })
        for e in g.edges where e.status == .observedDenied {
            let s = byID[e.source]!, t = byID[e.target]!
            guard s.kind == .workload && t.kind == .workload else { continue }
            let explained = e.evidence.allSatisfy { v in
                unlabelled.contains(v.source) || unlabelled.contains(v.destination)
            }
            #expect(explained, "generated policies deny an observed workload edge: \(s.key) -> \(t.key) \(e.label)")
        }
        // The page shows the verdict legend and every edge's status.
        let dom = try MapSupport.dumpDOM(html: try #require(r.text))
        #expect(dom.contains("data-ready=\"true\""))
        let statuses = MapSupport.startTags("<g class=\"edge", in: dom).compactMap { $0["data-status"] }
        #expect(statuses.count == g.edges.count)
        #expect(statuses.filter { $0 == "allowed-observed" }.count == allowed.count)
        #expect(dom.contains("Edges (policy verdict)"))
        // The summary sees the generated policies in every namespace but the system ones (left out by default).
        var so = Summary.Options(db: db)
        so.policies = dir
        let text = try Summary.run(so).report.render()
        #expect(text.contains("2 of 5 namespaces with workloads have no NetworkPolicy"))
        #expect(text.contains("nothing (no allowed flows, or a system namespace)"))
    }

    @Test("a missing --policies path is an error")
    func missingPolicies() throws {
        var o = Map.Options(db: try Self.fixtureStore())
        o.policies = "/nonexistent/policies"
        #expect(throws: (any Error).self) { try Map.run(o) }
    }
}
