import FlowModel
import Testing
@testable import Inference

@Suite("Selectors: smallest stable exact label set")
struct SelectorChooserTests {
    let web = Fx.w("shop", "web"), api = Fx.w("shop", "api"), db = Fx.w("shop", "db", kind: "StatefulSet")

    @Test("volatile labels are never chosen and rollouts keep one selector")
    func volatileAndRollout() {
        let pods: [Endpoint: [Labels]] = [
            web: [["app": "web", "pod-template-hash": "7d4b9c8f6d", "version": "v1"],
                  ["app": "web", "pod-template-hash": "5f6d7c8b9d", "version": "v2"]],
            db: [["app": "db", "statefulset.kubernetes.io/pod-name": "db-0", "controller-revision-hash": "db-1"],
                 ["app": "db", "statefulset.kubernetes.io/pod-name": "db-1", "controller-revision-hash": "db-1"]],
        ]
        #expect(SelectorChooser.choose(for: web, in: pods) == .init(selector: ["app": "web"], alsoMatches: []))
        #expect(SelectorChooser.choose(for: db, in: pods) == .init(selector: ["app": "db"], alsoMatches: []))
    }

    @Test("a workload with only volatile labels has no selector")
    func onlyVolatile() {
        let pods: [Endpoint: [Labels]] = [web: [["pod-template-hash": "abc", "controller-uid": "x"]]]
        #expect(SelectorChooser.choose(for: web, in: pods).selector.isEmpty)
    }

    @Test("well-known keys win among equally small sets; a second key only when needed")
    func preference() {
        let pods: [Endpoint: [Labels]] = [
            web: [["zz": "1", "app.kubernetes.io/name": "shop", "app.kubernetes.io/instance": "web", "team": "a"]],
            api: [["zz": "2", "app.kubernetes.io/name": "shop", "app.kubernetes.io/instance": "api", "team": "a"]],
        ]
        // instance alone separates them and ranks before zz.
        #expect(SelectorChooser.choose(for: web, in: pods).selector == ["app.kubernetes.io/instance": "web"])
        let one: [Endpoint: [Labels]] = [web: [["zz": "1", "app": "web", "team": "a"]]]
        #expect(SelectorChooser.choose(for: web, in: one).selector == ["app": "web"])
    }

    @Test("two keys when no single key separates")
    func pair() {
        let pods: [Endpoint: [Labels]] = [
            web: [["app": "shop", "tier": "web"]],
            api: [["app": "shop", "tier": "api"]],
            db: [["app": "db", "tier": "web"]],
        ]
        #expect(SelectorChooser.choose(for: web, in: pods).selector == ["app": "shop", "tier": "web"])
        #expect(SelectorChooser.choose(for: db, in: pods).selector == ["app": "db"])
    }

    @Test("inventory-only workloads count: a selector must not match them")
    func inventoryCounts() {
        let pods: [Endpoint: [Labels]] = [
            web: [["team": "a", "app": "web"]],
            api: [["team": "a"]],  // known only from an inventory
        ]
        #expect(SelectorChooser.choose(for: web, in: pods).selector == ["app": "web"])
    }

    @Test("no label set separates: the tightest set and the workloads it also matches")
    func ambiguous() {
        let pods: [Endpoint: [Labels]] = [
            web: [["app": "shop"]],
            api: [["app": "shop", "tier": "api"]],
        ]
        let c = SelectorChooser.choose(for: web, in: pods)
        #expect(c.selector == ["app": "shop"])
        #expect(c.alsoMatches == [api])
        #expect(SelectorChooser.choose(for: api, in: pods) == .init(selector: ["tier": "api"], alsoMatches: []))
    }

    @Test("an ambiguous selector is a warning and a comment-able selectorWarning in the plan")
    func ambiguousInPlan() {
        let ev = Evidence(edges: [Fx.edge(web, api, .tcp, 8080)],
                          labelSets: [web: [["app": "shop"]], api: [["app": "shop", "tier": "api"]]])
        let plan = Inferrer().infer(ev)
        let wp = Fx.plan(web, in: plan)
        #expect(wp?.selectorWarning?.contains("shop/api[Deployment]") == true)
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop/web[Deployment]: selector also matches") })
        #expect(Fx.plan(api, in: plan)?.selectorWarning == nil)
    }
}
