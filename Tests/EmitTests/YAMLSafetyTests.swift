@testable import Emit
import Foundation
import TestSupport
import Testing
import Yams
@testable import FlowModel
@testable import Inference
@testable import Policy


enum Nasty {
    /// Strings YAML readers like to turn into something else, or that break a line or a comment.
    static let pool: [String] = [
        "", " ", "  ",
        // booleans and nulls, YAML 1.1 and 1.2, every spelling
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "yEs", "nO",
        // numbers in YAML 1.1 and 1.2 forms
        "0", "1", "-1", "+1", "1.0", "-1.5", ".5", "5.", "1e3", "1E3", "1e+3", "0755", "0o755", "0x1F", "0b101",
        "1_000", "12:30", "190:20:30", "1:2:3.5", ".inf", "-.inf", "+.INF", ".Inf", ".NaN", ".nan", "0.", "00",
        "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
        // indicators
        "*", "*a", "&a", "&", "!tag", "!!str", "!", "|", "|-", ">", ">-", "%YAML", "%", "@x", "`x", "[a]", "[",
        "{a: b}", "{", "}", "]", "#x", "#", "a #b", "a# b", ":", "a:", "a: b", ": a", "::", "a:b", "k8s:app",
        "- x", "-", "--", "---", "...", "? x", "?", "<<", "=", ",", "a,b", "a]b", "a}b",
        // quotes, escapes, whitespace and line breaks
        "'q'", "\"q\"", "a'b", "a\"b", "back\\slash", "\\", "\\n", "\\x41", "tab\there", "\t", "new\nline", "\n",
        "cr\rx", "crlf\r\nx", " lead", "trail ", "x\u{3000}", "\u{A0}nbsp",
        // Unicode line breaks, BOM, non-characters, controls
        "nel\u{85}x", "ls\u{2028}x", "ps\u{2029}x", "bom\u{FEFF}x", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}", "nul\u{0}x",
        "bell\u{7}", "esc\u{1B}[0m", "del\u{7F}", "c1\u{9B}x", "\u{80}",
        // Unicode text
        "ünïcödé", "日本語", "emoji😀", "e\u{301}", "rtl\u{202E}x", "zwj\u{200D}x", "𝔘",
        // plausible real values
        "/api/v1/items/42", "/a b/%20/?q=1#frag", "GET", "api.example.com", "v1.2.3", "web",
    ]

    static func string(_ rng: inout SplitMix64) -> String {
        let n = Int.random(in: 1...3, using: &rng)
        if n == 1 { return pool.randomElement(using: &rng)! }
        return (0..<n).map { _ in pool.randomElement(using: &rng)! }.joined()
    }

    static func labels(_ rng: inout SplitMix64) -> Labels {
        var l = Labels()
        for _ in 0..<Int.random(in: 1...3, using: &rng) { l[string(&rng)] = string(&rng) }
        return l
    }
}

@Suite("YAML safety")
struct YAMLSafetyTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["FLOWMAP_PROPERTY_SEED"].flatMap { UInt64($0) }
        ?? 20_240_501

    /// One plan per iteration, with capture-derived text everywhere it can appear.
    static func nastyPlan(_ rng: inout SplitMix64, comments: Bool = true) -> (PolicyPlan, WorkloadPlan) {
        func s() -> String { Nasty.string(&rng) }
        let peerNS = s(), peerName = s(), ownName = s(), ownNS = s()
        let peer = PeerPlan.workload(.workload(peerNS, peerName, kind: "Deployment"), selector: Nasty.labels(&rng))
        let http = (0..<Int.random(in: 1...3, using: &rng)).map { _ in
            SyntheticPlan.http(s(), s(), s(), 3, [s(), s()])
        }
        let dnsNames = [s(), s(), "ok.example.com"]
        let examples = [s(), s(), s()]
        let notes: [InferenceNote] = [.minimalSelector(reason: s()), .minimalSelector(reason: s())]
        let warning = s()
        let cidrNote = s()
        let port = SyntheticPlan.port(.tcp, 8080, examples: examples, http: http)
        let dns = SyntheticPlan.port(.udp, 53, examples: examples, dns: dnsNames)
        var w = SyntheticPlan.workload(
            ownNS, ownName, selector: Nasty.labels(&rng),
            ingress: [RulePlan(peer: peer, ports: [port])],
            egress: [RulePlan(peer: peer, ports: [dns]),
                     RulePlan(peer: .ipBlock(cidr: "203.0.113.9/32", except: [], note: cidrNote),
                              ports: [SyntheticPlan.port(.tcp, 443, examples: examples)])],
            notes: notes, warning: warning)
        if !comments {
            // Everything that only ever reaches a comment, blanked.
            w.notes = []
            w.selectorWarning = nil
            for i in w.ingress.indices { for j in w.ingress[i].ports.indices { blank(&w.ingress[i].ports[j]) } }
            for i in w.egress.indices { for j in w.egress[i].ports.indices { blank(&w.egress[i].ports[j]) } }
            w.egress[1].peer = .ipBlock(cidr: "203.0.113.9/32", except: [], note: "")
        }
        var plan = PolicyPlan(namespaces: [NamespacePlan(name: ownNS, workloads: [w])], denied: [], warnings: [],
                              firstSeen: SyntheticPlan.t0, lastSeen: SyntheticPlan.t1)
        plan.externalNames = ["203.0.113.9/32": [s(), "api.example.com"]]
        return (plan, w)
    }

    static func blank(_ p: inout PortPlan) {
        p.examples = []
        for k in p.http.indices {
            p.http[k].examples = []
            p.http[k].pathTemplate = ""
        }
    }

    @Test("label keys and values, namespaces, methods and paths full of YAML specials read back unchanged (Yams)")
    func roundTrip() throws {
        var rng = SplitMix64(state: Self.seed)
        for iteration in 0..<300 {
            let (plan, w) = Self.nastyPlan(&rng)
            guard case .workload(let peerEP, let peerSel) = w.ingress[0].peer else { return }
            for flavor in EmitOptions.Flavor.allCases {
                let yaml = PolicyEmitter(options: EmitSupport.options(flavor)).stream(for: plan)
                let context = "seed \(Self.seed) iteration \(iteration) \(flavor)"
                let docs: [[String: Any]]
                do { docs = try Tree.docs(yaml) } catch {
                    Issue.record("\(context): does not parse: \(error)\n\(yaml)")
                    return
                }
                #expect(docs.count == 2, "\(context)")
                guard docs.count == 2 else { return }
                let d = docs[1]
                let name = Tree.name(d)
                #expect(PolicyNameTests.isDNSLabel(name), "\(context): name \(name)")
                for doc in docs {
                    #expect(Tree.at(doc, "metadata", "namespace") as? String == Tree.yams(w.endpoint.namespace),
                            "\(context)")
                }
                switch flavor {
                case .k8s:
                    #expect(Tree.strings(Tree.at(d, "spec", "podSelector", "matchLabels")) == Tree.yams(w.selector),
                            "\(context)")
                    let from = Tree.at(d, "spec", "ingress", 0, "from", 0)
                    #expect(Tree.strings(Tree.at(from, "podSelector", "matchLabels")) == Tree.yams(peerSel), "\(context)")
                    if peerEP.namespace == w.endpoint.namespace {
                        #expect(Tree.at(from, "namespaceSelector") == nil, "\(context)")
                    } else {
                        #expect(Tree.strings(Tree.at(from, "namespaceSelector", "matchLabels"))
                                == ["kubernetes.io/metadata.name": Tree.yams(peerEP.namespace)], "\(context)")
                    }
                case .cilium:
                    #expect(Tree.strings(Tree.at(d, "spec", "endpointSelector", "matchLabels")) == Tree.yams(w.selector),
                            "\(context)")
                    var want = peerSel
                    want[CiliumPolicyEmitter.namespaceLabel] = peerEP.namespace
                    let rule = Tree.at(d, "spec", "ingress", 0)
                    #expect(Tree.strings(Tree.at(rule, "fromEndpoints", 0, "matchLabels")) == Tree.yams(want), "\(context)")
                    let http = Tree.list(rule, "toPorts", 0, "rules", "http").compactMap(Tree.strings)
                    // Methods are regexes to Cilium: escaped; a method that is not an HTTP token gets no rule, and
                    // a port left with none gets the rule that matches no request.
                    let usable = w.ingress[0].ports[0].http.filter { CiliumPolicyEmitter.isHTTPToken($0.method) }
                    let wantHTTP = usable.isEmpty ? [["method": CiliumPolicyEmitter.noMethod]] : usable.map {
                        ["method": Tree.yams(PathGeneralizer.escape($0.method)), "path": Tree.yams($0.pathRegex)]
                    }
                    #expect(http == wantHTTP, "\(context)")
                    // DNS names: only valid ones, unchanged; the FQDN peer keeps its valid name.
                    let egress = Tree.list(d, "spec", "egress")
                    let dns = Tree.list(egress.first, "toPorts", 0, "rules", "dns")
                        .compactMap { Tree.at($0, "matchName") as? String }
                    #expect(dns.contains("ok.example.com") && dns.contains("api.example.com"), "\(context)")
                    #expect(dns.allSatisfy(CiliumPolicyEmitter.isValidDNSName), "\(context)")
                    #expect(Tree.list(egress.last, "toFQDNs").compactMap(Tree.strings).contains(["matchName": "api.example.com"]),
                            "\(context)")
                }
            }
        }
    }

    @Test("comments never change the parsed document")
    func commentsAreInert() throws {
        var a = SplitMix64(state: Self.seed ^ 0xC0FFEE), b = a
        for iteration in 0..<300 {
            let (withComments, _) = Self.nastyPlan(&a, comments: true)
            let (without, _) = Self.nastyPlan(&b, comments: false)
            for flavor in EmitOptions.Flavor.allCases {
                let e = PolicyEmitter(options: EmitSupport.options(flavor))
                let x = e.stream(for: withComments), y = e.stream(for: without)
                #expect(x != y)
                let nx = try Array(Yams.compose_all(yaml: x)), ny = try Array(Yams.compose_all(yaml: y))
                #expect(nx == ny, "seed \(Self.seed) iteration \(iteration) \(flavor)")
            }
        }
    }

    @Test("a YAML 1.1 reader (PyYAML, as kubectl-era tools) reads the same values as Yams")
    func pyYAMLAgrees() throws {
        var rng = SplitMix64(state: Self.seed ^ 0xBEEF)
        var streams = [String]()
        for _ in 0..<100 {
            let (plan, _) = Self.nastyPlan(&rng)
            for flavor in EmitOptions.Flavor.allCases {
                streams.append(PolicyEmitter(options: EmitSupport.options(flavor)).stream(for: plan))
            }
        }
        let all = streams.joined(separator: "---\n")
        let yams = try Yams.load_all(yaml: all).map { $0 as Any }
        let py = try #require(try Oracle.pyYAMLAsJSON(all) as? [Any])
        #expect(py.count == yams.count)
        for (i, (p, y)) in zip(py, yams).enumerated() {
            #expect(Tree.same(p, y), "document \(i) differs between PyYAML and Yams")
        }
    }

    @Test("every pool string alone is written so both readers get it back", arguments: Nasty.pool)
    func scalarRoundTrip(_ s: String) throws {
        let yaml = "\(YAMLText.scalar(s)): \(YAMLText.scalar(s))  # \(YAMLText.comment(s))\n"
        let m = try #require(try Yams.load(yaml: yaml) as? [String: Any], "\(yaml)")
        #expect(m.count == 1)
        #expect(m[Tree.yams(s)] as? String == Tree.yams(s), "\(yaml)")
    }

    @Test("indicator and type-looking first characters are quoted, keys too")
    func quoting() {
        for s in ["*", "&a", "!t", "|", ">", "%", "@", "`", "[", "{", "#", ":", ":a", "a:", "-", "- a", "?", ",",
                  "'", "\"", "yes", "Y", "n", "~", "", "1.0", "0755", ".inf", "-1", "+1", "12:30", "a b", "a\tb"] {
            #expect(YAMLText.needsQuotes(s), "\(s) must be quoted")
        }
        for s in ["web", "app.kubernetes.io/name", "k8s:io.kubernetes.pod.namespace", "/metrics", "GET", "v1",
                  "kube-system", "a_b"] {
            #expect(!YAMLText.needsQuotes(s), "\(s) can stay plain")
        }
        #expect(YAMLText.comment("a\nb\u{85}c\u{2028}d\u{FFFE}e") == "a?b?c?d?e")
    }

    @Test("format characters (bidi overrides, isolates, zero-width) are removed from comments and escaped in scalars")
    func formatCharacters() {
        // A crafted workload name a reviewer would read as `webexe.png` without the U+202E.
        let name = "shop/web\u{202E}gnp.exe[Deployment]"
        #expect(YAMLText.comment(name) == "shop/webgnp.exe[Deployment]")
        #expect(YAMLText.comment("a\u{2066}b\u{2069}c\u{200B}d\u{FEFF}e") == "abcde")
        #expect(YAMLText.scalar("web\u{202E}exe") == "\"web\\u202Eexe\"")
        var b = YAMLBuilder()
        b.pair(0, "app", "web", comment: "from \(name)")
        #expect(!b.text.unicodeScalars.contains { $0.properties.generalCategory == .format }, "\(b.text)")
    }
}
