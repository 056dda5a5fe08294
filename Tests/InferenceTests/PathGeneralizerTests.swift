import FlowModel
import Testing
@testable import Inference

@Suite("HTTP path generalisation")
struct PathGeneralizerTests {
    func obs(_ m: String, _ p: String, _ n: Int64 = 1) -> L7Observation {
        L7Observation(request: .http(method: m, path: p), stats: EdgeStats(flows: n, firstSeen: n, lastSeen: n))
    }

    @Test("numeric, UUID and long hex segments collapse; literals stay and are regex-escaped")
    func classify() {
        let r = PathGeneralizer().rules([
            obs("GET", "/users/1/orders"), obs("GET", "/users/42/orders"), obs("get", "/users/7/orders", 5),
            obs("GET", "/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301"), obs("DELETE", "/blobs/0123456789abcdef0123"),
            obs("GET", "/v1.2/health"), obs("GET", "/"),
        ])
        let byTemplate = Dictionary(uniqueKeysWithValues: r.map { ("\($0.method) \($0.pathTemplate)", $0) })
        #expect(Set(byTemplate.keys) == ["GET /users/{int}/orders", "GET /items/{uuid}", "DELETE /blobs/{hex}",
                                         "GET /v1.2/health", "GET /"])
        let users = byTemplate["GET /users/{int}/orders"]!
        #expect(users.pathRegex == "/users/[0-9]+/orders")
        #expect(users.requests == 7)
        #expect(users.examples == ["/users/1/orders", "/users/42/orders", "/users/7/orders"])
        #expect(byTemplate["GET /v1.2/health"]!.pathRegex == "/v1\\.2/health")
        #expect(byTemplate["GET /"]!.pathRegex == "/")
        #expect(byTemplate["GET /items/{uuid}"]!.pathRegex.hasPrefix("/items/[0-9a-fA-F]{8}-"))
    }

    @Test("high-cardinality literal siblings collapse to {any} at the threshold, not below")
    func cardinality() {
        let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
        let many = names.map { obs("GET", "/profiles/\($0)/avatar") } + [obs("GET", "/profiles/me")]
        let r = PathGeneralizer(threshold: 8).rules(many)
        #expect(r.map(\.pathTemplate) == ["/profiles/{any}", "/profiles/{any}/avatar"])
        #expect(r.last?.pathRegex == "/profiles/[^/]+/avatar")
        let few = PathGeneralizer(threshold: 10).rules(many)
        #expect(few.count == 9)
    }

    @Test("DNS observations are not HTTP rules")
    func dnsIgnored() {
        let r = PathGeneralizer().rules([L7Observation(request: .dns(query: "example.com"), stats: EdgeStats(flows: 1))])
        #expect(r.isEmpty)
    }

    @Test("every observed path matches its rule's regex")
    func regexCoversObserved() throws {
        let paths = ["/a/1", "/a/2/b", "/x.y/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/q/(weird)+", "/"]
            + (0..<12).map { "/tenant/t\($0)/data" }
        let r = PathGeneralizer().rules(paths.map { obs("GET", $0) })
        for p in paths {
            let hit = r.contains { rule in (try? Regex(rule.pathRegex).wholeMatch(in: p)) != nil }
            #expect(hit, "\(p) not matched by \(r.map(\.pathRegex))")
        }
        // And a path of another shape is not.
        #expect(!r.contains { rule in (try? Regex(rule.pathRegex).wholeMatch(in: "/admin")) != nil })
    }

    @Test("escape: the ASCII byte path equals the Character loop on every ASCII character and on non-ASCII text")
    func escapeFastPathEqualsCharacters() {
        func reference(_ s: String) -> String {
            var out = ""
            for c in s {
                if "\\.[]{}()*+?^$|".contains(c) { out.append("\\") }
                out.append(c)
            }
            return out
        }
        let ascii = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        var cases = ascii + ["a.b", "/v1.2/(x)", "a\r\nb.", "plain", "", "caf\u{E9}.txt", "e\u{301}.x", "\u{37E}.?"]
        for i in 0..<500 { cases.append((0..<(i % 9)).map { ascii[($0 * 37 + i * 11) % 128] }.joined()) }
        for c in cases { #expect(PathGeneralizer.escape(c) == reference(c), "\(Array(c.utf8))") }
        #expect(PathGeneralizer.escape("a.b*") == "a\\.b\\*")
    }
}
