@testable import Emit
import Foundation
import TestSupport
import Testing
import FlowModel
@testable import Inference
@testable import Policy

/// Issue 12: Cilium reads `rules.http[].method` (and `path`) as regular expressions. An observed method `.*`
/// allowed every method, `GET|DELETE` allowed DELETE, `*` was not a valid regex. Observed methods are escaped to
/// match only themselves; what is not an HTTP token gets no rule.
@Suite("Cilium HTTP rules match only what was observed")
struct CiliumHTTPRegexTests {
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

    static func rules(_ plan: PolicyPlan) throws -> (text: String, http: [[String: String]]) {
        let text = PolicyEmitter(options: EmitSupport.options(.cilium)).stream(for: plan)
        let doc = try #require(try Tree.docs(text).first { Tree.name($0) == "allow-api" })
        return (text, Tree.list(doc, "spec", "ingress", 0, "toPorts", 0, "rules", "http").compactMap(Tree.strings))
    }

    /// Whole-string match, as Envoy / Cilium apply the regex.
    static func matches(_ regex: String, _ s: String) throws -> Bool {
        let re = try NSRegularExpression(pattern: "^(?:" + regex + ")$")
        return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    @Test("observed methods are escaped; paths keep their escaped literals; non-tokens get no rule")
    func escaped() throws {
        let (text, http) = try Self.rules(Self.plan(Self.observed))
        let methods = Set(http.compactMap { $0["method"] })
        #expect(methods == [#"\*"#, #"\.\*"#, "GET", #"GET\|DELETE"#, "M-SEARCH"], "\(http)")
        #expect(http.contains { $0["method"] == "GET" && $0["path"] == #"/a\.b/\(x\)\|y\*"# }, "\(http)")
        #expect(text.contains(#"not HTTP methods (RFC 9110 tokens), no rule allows them: "BAD METHOD", "GET\nX""#), "\(text)")
        // Each method regex matches its observed method and nothing else tried here.
        let others = ["GET", "DELETE", "POST", "PUT", "X", ".*", "*", "GET|DELETE", "M-SEARCH"]
        for r in http {
            let m = try #require(r["method"])
            let matched = try others.filter { try Self.matches(m, $0) }
            #expect(matched.count == 1, "\(m) matches \(matched)")
        }
        #expect(try Self.matches(#"/a\.b/\(x\)\|y\*"#, "/a.b/(x)|y*"))
        #expect(try !Self.matches(#"/a\.b/\(x\)\|y\*"#, "/aXb/x"))
    }

    @Test("a port where only non-token methods were seen keeps an L7 rule that matches no request")
    func onlyUnusable() throws {
        let (_, http) = try Self.rules(Self.plan([("BAD METHOD", "/a"), ("", "/b")]))
        // The empty method is read as GET by the generaliser (Hubble omits it for GET); the other gets no rule.
        #expect(http == [["method": "GET", "path": "/b"]])
        let (_, none) = try Self.rules(Self.plan([("BAD METHOD", "/a")]))
        #expect(none == [["method": "^$"]])
        #expect(try !Self.matches("^$", "GET"))
    }

    @Test("the escaped rules validate against the CiliumNetworkPolicy v2 CRD schema")
    func validates() throws {
        let dir = EmitSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [(name: String, text: String)] = []
        for (i, p) in [Self.plan(Self.observed), Self.plan([("BAD METHOD", "/a")])].enumerated() {
            files += PolicyEmitter(options: EmitSupport.options(.cilium)).files(for: p)
                .filter { $0.name.hasSuffix(".yaml") && $0.name != "kustomization.yaml" }.map { ("\(i)/\($0.name)", $0.text) }
        }
        let paths = try EmitSupport.write(files, under: dir)
        let (status, output) = try Oracle.ciliumValidate(paths)
        #expect(status == 0, "validate-cilium: \(output)")
        #expect(output.contains(" valid, 0 invalid"), "\(output)")
    }
}
