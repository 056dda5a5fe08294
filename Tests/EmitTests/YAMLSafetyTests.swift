@testable import Emit
import Foundation
import TestSupport
import Testing
import Yams
@testable import FlowModel
@testable import Inference
@testable import Policy

/// Emitted YAML read back by Yams; the same plans through PyYAML are OracleTests' YAMLSafetyOracleTests.
@Suite("YAML safety")
struct YAMLSafetyTests {
    @Test("label keys and values, namespaces, methods and paths full of YAML specials read back unchanged (Yams)")
    func roundTrip() throws {
        var rng = SplitMix64(state: Nasty.seed)
        for iteration in 0..<300 {
            let (plan, w) = Nasty.plan(&rng)
            guard case .workload(let peerEP, let peerSel) = w.ingress[0].peer else { return }
            for flavor in EmitOptions.Flavor.allCases {
                let yaml = PolicyEmitter(options: EmitSupport.options(flavor)).stream(for: plan)
                let context = "seed \(Nasty.seed) iteration \(iteration) \(flavor)"
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
        var a = SplitMix64(state: Nasty.seed ^ 0xC0FFEE), b = a
        for iteration in 0..<300 {
            let (withComments, _) = Nasty.plan(&a, comments: true)
            let (without, _) = Nasty.plan(&b, comments: false)
            for flavor in EmitOptions.Flavor.allCases {
                let e = PolicyEmitter(options: EmitSupport.options(flavor))
                let x = e.stream(for: withComments), y = e.stream(for: without)
                #expect(x != y)
                let nx = try Array(Yams.compose_all(yaml: x)), ny = try Array(Yams.compose_all(yaml: y))
                #expect(nx == ny, "seed \(Nasty.seed) iteration \(iteration) \(flavor)")
            }
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

    @Test("a format character above U+FFFF (a tag character) is escaped as \\U and reads back as itself")
    func astralEscape() throws {
        // `\u` takes four digits: `\uE0041` would read back as U+E004 followed by `1`.
        let s = "web\u{E0041}x"
        #expect(YAMLText.scalar(s) == "\"web\\U000E0041x\"")
        let m = try #require(try Yams.load(yaml: "k: \(YAMLText.scalar(s))\n") as? [String: Any])
        #expect(m["k"] as? String == s)
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
