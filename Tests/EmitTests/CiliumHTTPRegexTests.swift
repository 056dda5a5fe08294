@testable import Emit
import Foundation
import TestSupport
import Testing
import FlowModel
@testable import Inference
@testable import Policy

/// Issue 12: Cilium reads `rules.http[].method` (and `path`) as regular expressions. An observed method `.*`
/// allowed every method, `GET|DELETE` allowed DELETE, `*` was not a valid regex. Observed methods are escaped to
/// match only themselves; what is not an HTTP token gets no rule. The same rules against the CRD schema:
/// OracleTests' CiliumHTTPSchemaTests.
@Suite("Cilium HTTP rules match only what was observed")
struct CiliumHTTPRegexTests {
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
        let (text, http) = try Self.rules(CiliumHTTPCases.plan(CiliumHTTPCases.observed))
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
        let (_, http) = try Self.rules(CiliumHTTPCases.plan([("BAD METHOD", "/a"), ("", "/b")]))
        // The empty method is read as GET by the generaliser (Hubble omits it for GET); the other gets no rule.
        #expect(http == [["method": "GET", "path": "/b"]])
        let (_, none) = try Self.rules(CiliumHTTPCases.plan([("BAD METHOD", "/a")]))
        #expect(none == [["method": "^$"]])
        #expect(try !Self.matches("^$", "GET"))
    }
}
