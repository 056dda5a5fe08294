import Foundation
import TestSupport
@testable import FlowModel
@testable import Inference

/// Capture-derived text at its worst, and plans full of it: shared by YAMLSafetyTests (Yams) and, through
/// OracleTests/Support, YAMLSafetyOracleTests (PyYAML).
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

    /// FLOWMAP_PROPERTY_SEED, else a fixed seed: a failing case reproduces from the seed it prints.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["FLOWMAP_PROPERTY_SEED"].flatMap { UInt64($0) }
        ?? 20_240_501

    /// One plan per iteration, with capture-derived text everywhere it can appear.
    static func plan(_ rng: inout SplitMix64, comments: Bool = true) -> (PolicyPlan, WorkloadPlan) {
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
}
