import FlowModel
import Testing
@testable import Inference

@Suite("Selectors: the owning controller's spec.selector, else the minimal one")
struct ControllerSelectorTests {
    let page = Fx.w("bookinfo", "productpage"), reviews = Fx.w("bookinfo", "reviews")
    let ratings = Fx.w("bookinfo", "ratings"), ratingsV2 = Fx.w("bookinfo", "ratings-v2")
    let details = Fx.w("bookinfo", "details")

    var labels: [Endpoint: [Labels]] {
        [page: [["app": "productpage", "version": "v1"]],
         reviews: [["app": "reviews", "version": "v1", "pod-template-hash": "7d4b9c8f6d"]]]
    }

    func selector(_ w: Endpoint, _ ev: Evidence, _ mode: InferenceOptions.SelectorMode = .controller) -> Labels? {
        var o = InferenceOptions()
        o.selector = mode
        return Fx.plan(w, in: Inferrer(options: o).infer(ev))?.selector
    }

    @Test("a Deployment's spec.selector, without volatile keys, is the selector")
    func controllerChosen() {
        var ev = Evidence(edges: [Fx.edge(page, reviews, .tcp, 9080)], labelSets: labels)
        ev.controllerSelectors = [reviews: ["app": "reviews", "version": "v1", "pod-template-hash": "7d4b9c8f6d"]]
        #expect(selector(reviews, ev) == ["app": "reviews", "version": "v1"])
        // No controller known for productpage: the minimal selector, as before.
        #expect(selector(page, ev) == ["app": "productpage"])
        #expect(!Inferrer().infer(ev).warnings.contains { $0.description.contains("controller") })
    }

    @Test("without a known controller the minimal selector is chosen")
    func fallbackWithoutController() {
        let ev = Evidence(edges: [Fx.edge(page, reviews, .tcp, 9080)], labelSets: labels)
        #expect(selector(reviews, ev) == ["app": "reviews"])
    }

    @Test("--selector minimal ignores the controller's selector")
    func minimalMode() {
        var ev = Evidence(edges: [Fx.edge(page, reviews, .tcp, 9080)], labelSets: labels)
        ev.controllerSelectors = [reviews: ["app": "reviews", "version": "v1"]]
        #expect(selector(reviews, ev, .minimal) == ["app": "reviews"])
    }

    @Test("a controller selector that does not select all the workload's known pods is not used")
    func controllerMissesPods() {
        var ev = Evidence(edges: [Fx.edge(page, reviews, .tcp, 9080)], labelSets: labels)
        ev.controllerSelectors = [reviews: ["app": "reviews", "version": "v9"]]
        #expect(selector(reviews, ev) == ["app": "reviews"])
        #expect(Inferrer().infer(ev).warnings.contains {
            $0.description.contains("bookinfo/reviews") && $0.description.contains("does not select all its known pods")
        })
    }

    @Test("ratings' selector app=ratings also selects the later ratings-v2 Deployment: warned, never used")
    func ratingsAlsoSelectsV2() {
        var ev = Evidence(
            edges: [Fx.edge(page, ratings, .tcp, 9080)],
            labelSets: [page: [["app": "productpage", "version": "v1"]],
                        details: [["app": "details", "version": "v1"]],
                        ratings: [["app": "ratings", "version": "v1"]],
                        ratingsV2: [["app": "ratings", "version": "v2"]]])  // known only from a later inventory
        ev.controllerSelectors = [ratings: ["app": "ratings"], ratingsV2: ["app": "ratings", "version": "v2"]]
        #expect(selector(ratings, ev) == ["app": "ratings", "version": "v1"])
        let p = Inferrer().infer(ev)
        let warning = p.warnings.first { $0.description.hasPrefix("bookinfo/ratings") && $0.description.contains("also selects") }
        #expect(warning?.description.contains("bookinfo/ratings-v2") == true)
        #expect(Fx.plan(ratings, in: p)?.notes.contains { $0.description.contains("ratings-v2") } == true)
    }
}
