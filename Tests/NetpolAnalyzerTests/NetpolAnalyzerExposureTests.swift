import FlowMapKit
import FlowModel
import Foundation
import Policy
import Testing

/// netpol-analyzer's exposure goldens (`list --exposure`, Fixtures/exposure, SOURCES.md): every NetworkPolicy-only
/// directory must agree, connlist part and exposure part, compared semantically (docs/netpol-analyzer-goldens.md).
/// Representative peers are compared by their selectors' canonical requirements (netpol-analyzer prints Go
/// structs, `{{Key:app,Operator:In,Values:[x],}}`; FlowMap prints `app in (x)`), connections as parsed sets.
@Suite struct NetpolAnalyzerExposureTests {
    static let dirs = [
        "exposure_allow_all_in_cluster_test", "exposure_allow_all_test", "exposure_allow_egress_deny_ingress_test",
        "exposure_allow_ingress_deny_egress_test", "exposure_matched_and_unmatched_rules_test",
        "exposure_multiple_unmatched_rules_test", "exposure_only_matched_rules_test",
        "exposure_test_conn_entire_cluster_with_empty_selectors", "exposure_test_conn_to_all_pods_in_a_new_ns",
        "exposure_test_conn_to_all_pods_in_an_existing_ns",
        "exposure_test_conn_to_all_pods_in_an_existing_ns_with_ns_selector_only",
        "exposure_test_conn_to_new_pod_in_an_existing_ns",
        "exposure_test_conn_with_new_pod_selector_and_ns_selector", "exposure_test_conn_with_only_pod_selector",
        "exposure_test_conn_with_pod_selector_in_any_ns", "exposure_test_different_but_equiv_rules",
        "exposure_test_egress_to_entire_cluster_with_named_ports", "exposure_test_egress_with_named_port",
        "exposure_test_egress_with_named_port_with_matching_pod",
        "exposure_test_ingress_from_entire_cluster_with_named_ports",
        "exposure_test_pod_exposed_only_to_representative_peers", "exposure_test_real_namespace_with_matching_pod",
        "exposure_test_real_namespace_without_real_pod", "exposure_test_rule_with_multiple_match_expressions",
        "exposure_test_rule_with_multiple_match_expressions_with_matching_pod",
        "exposure_test_same_unmatched_rule_in_ingress_egress", "exposure_test_to_any_namespace_with_podSelector",
        "exposure_test_to_namespace_except_specific_pod", "exposure_test_with_different_rules_1",
        "exposure_test_with_different_rules_2", "exposure_test_with_different_rules_2_with_matching_pod",
        "exposure_test_with_different_rules_3", "exposure_test_with_different_rules_3_with_matching_pod",
        "exposure_test_with_different_rules_4", "exposure_test_with_different_rules_4_with_matching_pods",
        "exposure_test_with_different_rules_5", "exposure_test_with_different_rules_5_with_matching_pods",
        "exposure_test_with_different_rules_6", "exposure_test_with_different_rules_6_with_matching_pods",
        "exposure_test_with_match_expression_does_not_exist_op",
        "exposure_test_with_match_expression_does_not_exist_op_with_matching_pods",
        "exposure_test_with_match_expression_exists_op",
        "exposure_test_with_match_expression_exists_op_with_matching_pods",
        "exposure_test_with_match_expression_in_op", "exposure_test_with_match_expression_in_op_with_matching_pod",
        "exposure_test_with_match_expression_not_in_op",
        "exposure_test_with_match_expression_not_in_op_with_matching_pods",
        "exposure_test_with_multiple_policies_1", "exposure_test_with_multiple_policies_1_with_matching_pod",
        "exposure_test_with_multiple_policies_2", "exposure_test_with_no_netpols",
        "exposure_test_with_real_pod_and_namespace", "exposure_to_namespace_with_multiple_labels_test",
        "exposure_to_new_namespace_conn_and_entire_cluster",
        "exposure_to_new_namespace_conn_and_entire_cluster_with_matching_pod", "onlineboutique",
        "onlineboutique_workloads",
    ]

    /// Admin-tier exposure goldens (AdminNetworkPolicy / BaselineAdminNetworkPolicy, Fixtures/SOURCES.md): every
    /// `exposure_test_with_anp_*` directory and `anp_banp_blog_demo`.
    static let adminDirs = [
        "anp_banp_blog_demo", "exposure_test_with_anp_1", "exposure_test_with_anp_2_w_np",
        "exposure_test_with_anp_3_w_banp", "exposure_test_with_anp_4_entire_cluster_example",
        "exposure_test_with_anp_5_entire_cluster_example", "exposure_test_with_anp_6_entire_cluster_example",
        "exposure_test_with_anp_7_w_banp", "exposure_test_with_anp_8", "exposure_test_with_anp_9",
        "exposure_test_with_anp_10_with_real_pod", "exposure_test_with_anp_11_with_named_port",
    ]

    /// Admin-tier directories whose objects the API server refuses: a `pods` subject or peer without
    /// `podSelector` or `namespaceSelector` (both required by the CRD schema; netpol-analyzer reads the missing
    /// one as `{}`). FlowMap refuses them (exit 2); `Fixtures/tests-repaired/<dir>` holds the same objects with
    /// the missing selector written as `{}` (SOURCES.md), which must agree with the golden exactly.
    static let repairedDirs = [
        "exposure_test_with_anp_12", "exposure_test_with_anp_13", "exposure_test_with_anp_14",
        "exposure_test_with_anp_15", "exposure_test_with_anp_16",
    ]

    /// netpol-analyzer's selector text: `k=v`, `{Key:k,Operator:Op,Values:[a b],}` items, comma-separated.
    static func selector(_ text: String) -> LabelSelector? {
        var items: [String] = [], depth = 0, cur = ""
        for ch in text {
            if ch == "{" { depth += 1 } else if ch == "}" { depth -= 1 }
            if ch == "," && depth == 0 { items.append(cur); cur = ""; continue }
            cur.append(ch)
        }
        if !cur.isEmpty { items.append(cur) }
        var s = LabelSelector()
        for item in items {
            if item.hasPrefix("{Key:") {
                let body = item.dropFirst(5)
                guard let opR = body.range(of: ",Operator:"), let valR = body.range(of: ",Values:["),
                      let end = body.range(of: "],", options: .backwards),
                      let op = LabelSelectorRequirement.Operator(rawValue: String(body[opR.upperBound..<valR.lowerBound])) else { return nil }
                let values = body[valR.upperBound..<end.lowerBound].split(separator: " ").map(String.init)
                s.matchExpressions.append(LabelSelectorRequirement(key: String(body[..<opR.lowerBound]), op: op, values: values))
            } else {
                let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { return nil }
                s.matchLabels[kv[0]] = kv[1]
            }
        }
        return s
    }

    /// `entire-cluster`, `ns/[all pods]`, `[namespace with {…}]/[pod with {…}]`, `[all namespaces]/…` as a
    /// comparable key (FlowMap's peers go through the same function).
    static func key(namespaces: LabelSelector, pods: LabelSelector?) -> String {
        "ns{\(namespaces.canonicalRequirements.joined(separator: ";"))}/pods{\((pods?.canonicalRequirements ?? []).joined(separator: ";"))}"
    }

    static func representative(_ text: String) -> String? {
        if text == "entire-cluster" { return text }
        let ns: Substring, pods: Substring
        if text.hasPrefix("["), let r = text.range(of: "]/[") {
            ns = text[text.index(after: text.startIndex)..<r.lowerBound]
            pods = text[text.index(before: r.upperBound)...]
        } else if let r = text.range(of: "/") {
            ns = text[..<r.lowerBound]
            pods = text[r.upperBound...]
        } else { return nil }
        var nsSel: LabelSelector
        if !text.hasPrefix("[") {
            nsSel = LabelSelector(matchLabels: [ClusterNamespace.nameLabel: String(ns)])
        } else if ns == "all namespaces" {
            nsSel = LabelSelector()
        } else if ns.hasPrefix("namespace with {"), ns.hasSuffix("}"), let s = selector(String(ns.dropFirst(16).dropLast())) {
            nsSel = s
        } else { return nil }
        var podSel: LabelSelector? = nil
        if pods == "[all pods]" {
            podSel = nil
        } else if pods.hasPrefix("[pod with {"), pods.hasSuffix("}]"), let s = selector(String(pods.dropFirst(11).dropLast(2))) {
            podSel = s
        } else { return nil }
        return key(namespaces: nsSel, pods: podSel)
    }

    /// One exposure line (`W \t=> \tPEER : CONN`, `W is not protected on Egress`); nil for anything else.
    static func exposureLine(_ line: String, origin: String, rename: (String) -> String) -> AnalyzerEntry? {
        if let r = line.range(of: " is not protected on ") {
            return AnalyzerEntry(source: .workload("unprotected \(rename(String(line[..<r.lowerBound]))) \(line[r.upperBound...])"),
                                 destination: .workload("-"), value: "unprotected", origin: origin)
        }
        let parts = line.components(separatedBy: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, parts[1] == "=>" || parts[1] == "<=",
              let colon = parts[2].range(of: " : ", options: .backwards),
              let c = AnalyzerEntry.exposureConnections(String(parts[2][colon.upperBound...])) else { return nil }
        let w = "exposure \(parts[1] == "=>" ? "egress" : "ingress") \(rename(parts[0]))"
        let peerText = String(parts[2][..<colon.lowerBound])
        if peerText.hasSuffix("[External]") {
            guard let p = AnalyzerEntry.peer(peerText) else { return nil }
            return AnalyzerEntry(source: .workload(w), destination: p, value: c.description, origin: origin)
        }
        guard let rep = representative(peerText) else { return nil }
        return AnalyzerEntry(source: .workload(w), destination: .workload(rep), value: c.description, origin: origin)
    }

    static func goldenEntries(_ text: String, file: String, rename: [String: String]) -> ([AnalyzerEntry], [String]) {
        var entries: [AnalyzerEntry] = [], unparsed: [String] = [], inExposure = false
        let headers: Set<String> = ["Egress Exposure:", "Ingress Exposure:", "Workloads not protected by network policies:"]
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = String(line)
            if l.isEmpty || headers.contains(l) { continue }
            if l == "Exposure Analysis Result:" { inExposure = true; continue }
            let origin = "\(file):\(i + 1): \(l)"
            let e = inExposure ? exposureLine(l, origin: origin, rename: { rename[$0] ?? $0 })
                               : AnalyzerEntry.connlist(l, origin: origin, rename: { rename[$0] ?? $0 })
            if let e { entries.append(e) } else { unparsed.append("\(file):\(i + 1): cannot read `\(l)`") }
        }
        return (entries, unparsed)
    }

    /// FlowMap's result as the same entries: the connlist pairs, then the exposure report.
    static func flowmapEntries(_ r: Connectivity.Result) -> [AnalyzerEntry] {
        var out: [AnalyzerEntry] = r.entries.map { e in
            func peer(_ p: ConnectivityPeer) -> AnalyzerEntry.Peer {
                switch p {
                case .endpoint(let x): return .workload(x.description)
                case .range(let x): return .ranges([x])
                }
            }
            return AnalyzerEntry(source: peer(e.source), destination: peer(e.destination), value: e.connections.description,
                                 origin: "\(e.source) => \(e.destination) : \(e.connections)")
        }
        for e in r.exposure?.entries ?? [] {
            let w = AnalyzerEntry.Peer.workload("exposure \(e.egress ? "egress" : "ingress") \(e.workload)")
            let d: AnalyzerEntry.Peer
            switch e.peer {
            case .entireCluster: d = .workload("entire-cluster")
            case .external(let x): d = .ranges([x])
            case .selected(let ns, let pods): d = .workload(key(namespaces: ns, pods: pods))
            }
            out.append(AnalyzerEntry(source: w, destination: d, value: e.connections.description, origin: e.line))
        }
        for u in r.exposure?.unprotected ?? [] {
            out.append(AnalyzerEntry(source: .workload("unprotected \(u.workload) \(u.egress ? "Egress" : "Ingress")"),
                                     destination: .workload("-"), value: "unprotected", origin: u.line))
        }
        return out
    }

    @Test(arguments: dirs)
    func exposureAgreesWithGolden(_ dir: String) throws {
        try agrees(dir, input: Fixture.input(dir))
    }

    @Test(arguments: adminDirs)
    func adminTierExposureAgreesWithGolden(_ dir: String) throws {
        try agrees(dir, input: Fixture.input(dir))
    }

    /// The original is refused like the API server refuses it; the repaired copy agrees with no exception.
    @Test(arguments: repairedDirs)
    func repairedAdminTierExposureAgreesWithGolden(_ dir: String) throws {
        var o = Connectivity.Options(policies: [Fixture.input(dir)])
        o.exposure = true
        #expect { _ = try Connectivity.run(o) } throws: { "\($0)".contains("Required value") }
        try agrees(dir, input: Fixture.root.appendingPathComponent("tests-repaired/\(dir)").path)
    }

    func agrees(_ dir: String, input: String) throws {
        var o = Connectivity.Options(policies: [input])
        o.exposure = true
        let r = try Connectivity.run(o)
        let file = "exposure/\(dir)_exposure_output.txt"
        let (golden, unparsed) = Self.goldenEntries(try Fixture.golden(file), file: file,
                                                    rename: NetpolAnalyzerGoldenTests.renames([r.manifests]))
        #expect(unparsed.isEmpty, "\(dir): \(unparsed.joined(separator: "\n"))")
        #expect(r.manifests.issues.isEmpty, "\(dir): manifest issues \(r.manifests.issues)")
        let found = SemanticCompare.disagreements(golden: golden, flowmap: Self.flowmapEntries(r))
        #expect(found.isEmpty, "\(dir): \(found.count) disagreement(s):\n\(found.prefix(20).joined(separator: "\n"))")
    }

    /// Cilium policies are not modelled by the exposure analysis: refused (exit 2), not answered partially.
    @Test func ciliumSetsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-cilium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: ns, labels: {app: a}}
            spec: {containers: [{name: c, image: x}]}
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: p, namespace: ns}
            spec:
              endpointSelector: {matchLabels: {app: a}}
              ingress: [{fromEndpoints: [{matchLabels: {app: b}}]}]
            """.write(to: dir.appendingPathComponent("all.yaml"), atomically: true, encoding: .utf8)
        var o = Connectivity.Options(policies: [dir.path])
        o.exposure = true
        #expect { _ = try Connectivity.run(o) } throws: { "\($0)".contains("Cilium object(s)") }
        o.exposure = false
        #expect(try Connectivity.run(o).exposure == nil)
    }

    /// The golden parser reads netpol-analyzer's selector structs and FlowMap's peers into the same key.
    @Test func representativeTextsParse() throws {
        let golden = "[namespace with {foo=managed,{Key:env,Operator:Exists,Values:[],}}]/[pod with {app=app-x,{Key:role,Operator:NotIn,Values:[web api],}}]"
        let ns = LabelSelector(matchLabels: ["foo": "managed"], matchExpressions: [.init(key: "env", op: .exists)])
        let pods = LabelSelector(matchLabels: ["app": "app-x"], matchExpressions: [.init(key: "role", op: .notIn, values: ["api", "web"])])
        #expect(Self.representative(golden) == Self.key(namespaces: ns, pods: pods))
        #expect(Self.representative("backend/[all pods]") == Self.key(namespaces: LabelSelector(matchLabels: [ClusterNamespace.nameLabel: "backend"]), pods: nil))
        #expect(Self.representative("[all namespaces]/[pod with {app=x}]") != Self.representative("[all namespaces]/[pod with {app=y}]"))
        #expect(AnalyzerEntry.exposureConnections("TCP http,local-dns")?.description == "TCP http,TCP local-dns")
        #expect(AnalyzerEntry.exposureConnections(" local-port") == ExposureConnections(named: [.init(proto: nil, name: "local-port")]))
        #expect(ExposureConnections(ports: ConnectionSet(tcp: PortSet(80...80)), named: [.init(proto: nil, name: "x"), .init(proto: .tcp, name: "y")])
            .description == "x,TCP 80,TCP y")
        #expect(AnalyzerEntry.exposureConnections("TCP 8000,8090") == ExposureConnections(ports: ConnectionSet(tcp: PortSet(ranges: [8000...8000, 8090...8090]))))
    }
}
