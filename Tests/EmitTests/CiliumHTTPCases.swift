import FlowModel
@testable import Inference

/// Issue 12's HTTP requests (methods that are regexes, not tokens, or both) and the plan that observed them:
/// CiliumHTTPRegexTests checks the rules, OracleTests' CiliumHTTPSchemaTests (through Support/) the CRD schema.
enum CiliumHTTPCases {
    static let observed: [(method: String, path: String)] = [
        (".*", "/a"), ("GET|DELETE", "/a"), ("*", "/a"), ("GET", "/a.b/(x)|y*"), ("M-SEARCH", "/a"),
        ("BAD METHOD", "/a"), ("GET\nX", "/a"),
    ]

    static func plan(_ requests: [(method: String, path: String)]) -> PolicyPlan {
        let stats = EdgeStats(flows: 1, firstSeen: SyntheticPlan.t0, lastSeen: SyntheticPlan.t1)
        let http = PathGeneralizer().rules(requests.map {
            L7Observation(request: .http(method: $0.method, path: $0.path), stats: stats)
        })
        let web = SyntheticPlan.workload(
            "shop", "api", selector: ["app": "api"],
            ingress: [RulePlan(peer: .workload(.workload("shop", "web", kind: "Deployment"), selector: ["app": "web"]),
                               ports: [SyntheticPlan.port(.tcp, 8080, http: http)])])
        return PolicyPlan(namespaces: [NamespacePlan(name: "shop", workloads: [web])], denied: [], warnings: [],
                          firstSeen: SyntheticPlan.t0, lastSeen: SyntheticPlan.t1)
    }
}
