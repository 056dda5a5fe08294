import FlowMapKit
import FlowIngest
import FlowMapView
import FlowStore
import Inference
import FlowModel
import Foundation
import Policy
import Testing

/// netpol-analyzer's own test directories and golden outputs (Fixtures/SOURCES.md): every directory without
/// admin-tier, multi-network or Ingress/Route objects must agree with its golden connlist, and every diff pair of
/// such directories with its golden diff — compared semantically (AnalyzerEntry, SemanticCompare). A
/// disagreement is reported with the directory and golden line; the only accepted ones are `exceptions`.
@Suite struct NetpolAnalyzerGoldenTests {
    static let connlistDirs = [
        "core_pods_without_host_ip", "example_pods_w_same_owner_and_labels_gap_no_policy",
        "example_pods_w_same_owner_and_labels_gap_with_good_match_expression",
        "example_pods_w_same_owner_and_labels_gap_with_good_match_expression2",
        "example_pods_w_same_owner_and_labels_gap_with_policy_selector_not_in_gap",
        "exposure_test_pod_exposed_only_to_representative_peers", "ipblockstest", "ipblockstest_2", "ipblockstest_3",
        "ipblockstest_4", "minikube_resources", "minimal_test_in_ns", "multiple_topology_resources_1",
        "multiple_topology_resources_2", "multiple_topology_resources_3", "multiple_topology_resources_4",
        "netpol-analysis-example-minimal", "netpol_named_port_test", "netpol_named_port_test_2", "new_online_boutique",
        "new_online_boutique_synthesis", "online_boutique_workloads_no_ns", "onlineboutique", "onlineboutique_workloads",
        "semanticDiff-different-topologies-policy-a", "semanticDiff-different-topologies-policy-a-with-ipblock",
        "semanticDiff-different-topologies-policy-b", "semanticDiff-different-topologies-policy-b-with-ipblock",
        "semanticDiff-orig-topologies-no-policy", "semanticDiff-orig-topologies-policy-a",
        "semanticDiff-same-topologies-new1", "semanticDiff-same-topologies-new1a", "semanticDiff-same-topologies-new2",
        "semanticDiff-same-topologies-new3", "semanticDiff-same-topologies-old1", "semanticDiff-same-topologies-old2",
        "semanticDiff-same-topologies-old3", "test_with_named_ports", "test_with_named_ports_changed_netpol",
        "test_with_named_ports_changed_netpol_2", "with_end_port_example", "with_end_port_example_new",
    ]

    /// (ref1 = OLD, ref2 = NEW): golden `diff_between_<NEW>_and_<OLD>.txt`, as netpol-analyzer's diff_test.go.
    static let diffPairs: [(old: String, new: String)] = [
        ("deny_all_to_from_a_deployment", "deny_all_to_from_a_deployment_changed_netpol"),
        ("ipblockstest", "ipblockstest_2"), ("ipblockstest", "ipblockstest_3"), ("ipblockstest_2", "ipblockstest_3"),
        ("ipblockstest", "ipblockstest_4"), ("multiple_topology_resources_1", "multiple_topology_resources_2"),
        ("multiple_topology_resources_3", "multiple_topology_resources_4"),
        ("netpol-analysis-example-minimal", "netpol-diff-example-minimal"),
        ("new_online_boutique", "new_online_boutique_synthesis"),
        ("onlineboutique_workloads", "onlineboutique_workloads_changed_netpols"),
        ("onlineboutique_workloads", "onlineboutique_workloads_changed_netpols_and_workloads"),
        ("onlineboutique_workloads", "onlineboutique_workloads_changed_workloads"),
        ("semanticDiff-different-topologies-policy-b", "semanticDiff-different-topologies-policy-a"),
        ("semanticDiff-same-topologies-old1", "semanticDiff-different-topologies-policy-a"),
        ("semanticDiff-different-topologies-policy-a-with-ipblock", "semanticDiff-different-topologies-policy-b-with-ipblock"),
        ("semanticDiff-different-topologies-policy-a", "semanticDiff-different-topologies-policy-b"),
        ("semanticDiff-orig-topologies-no-policy", "semanticDiff-orig-topologies-policy-a"),
        ("semanticDiff-same-topologies-old1", "semanticDiff-same-topologies-new1"),
        ("semanticDiff-same-topologies-old1", "semanticDiff-same-topologies-new1a"),
        ("semanticDiff-same-topologies-old2", "semanticDiff-same-topologies-new2"),
        ("semanticDiff-same-topologies-old3", "semanticDiff-same-topologies-new3"),
        ("test_with_named_ports_changed_netpol_2", "test_with_named_ports_changed_netpol_3"),
        ("test_with_named_ports", "test_with_named_ports_changed_netpol"),
        ("with_end_port_example", "with_end_port_example_new"),
    ]

    /// A golden FlowMap does not follow, and why: the exact number of disagreements and manifest issues is
    /// asserted, so any change on either side shows up here.
    struct Exception {
        var reason: String
        var disagreements: Int
        /// Text every manifest issue of the directory contains ("" = no issue expected).
        var issue: String = ""
    }

    /// netpol-analyzer-specific behaviour on input the API server would not accept (docs/netpol-analyzer-goldens.md).
    static let exceptions: [String: Exception] = baseExceptions.merging(adminExceptions) { a, _ in a }

    static let baseExceptions: [String: Exception] = {
        // The pods' ownerReferences have a name but no `kind` (OwnerReference.kind is required): netpol-analyzer
        // groups them under the owner name as `default/internal-security[Pod]`; FlowMap does not trust an
        // incomplete reference and evaluates each pod (`default/pod-1[Pod]` …), so every line names other peers.
        let owner = "ownerReferences without kind: netpol-analyzer groups the pods by owner name, FlowMap keeps each pod"
        // The policy's name has underscores: the API server rejects it (RFC 1123); FlowMap refuses it, as
        // `kubectl apply` would (exit 2), and with --skip-invalid evaluates without it.
        let name = owner + "; the policy name is invalid (RFC 1123) and rejected"
        let invalidName = "metadata.name: Invalid value"
        return [
            "connlist example_pods_w_same_owner_and_labels_gap_no_policy": Exception(reason: owner, disagreements: 8),
            "connlist example_pods_w_same_owner_and_labels_gap_with_good_match_expression":
                Exception(reason: name, disagreements: 14, issue: invalidName),
            "connlist example_pods_w_same_owner_and_labels_gap_with_good_match_expression2":
                Exception(reason: name, disagreements: 13, issue: invalidName),
            "connlist example_pods_w_same_owner_and_labels_gap_with_policy_selector_not_in_gap":
                Exception(reason: name, disagreements: 13, issue: invalidName),
        ]
    }()

    /// Golden workload name -> FlowMap's: a pod owned by ReplicaSet `x-<pod-template-hash>` is netpol-analyzer's
    /// `ns/x-<hash>[ReplicaSet]` and FlowMap's `ns/x[Deployment]` (FlowMap folds a Deployment's ReplicaSets,
    /// WorkloadBuilder; docs/policy-evaluation.md).
    static func renames(_ sets: [ManifestSet]) -> [String: String] {
        var out: [String: String] = [:]
        for set in sets {
            for p in set.pods where p.ownerKind == "ReplicaSet" {
                guard let hash = p.labels["pod-template-hash"], p.ownerName.hasSuffix("-\(hash)") else { continue }
                out["\(p.namespace)/\(p.ownerName)[ReplicaSet]"] = "\(p.namespace)/\(p.ownerName.dropLast(hash.count + 1))[Deployment]"
            }
        }
        return out
    }

    static func goldenEntries(_ text: String, file: String, rename: [String: String],
                              parse: (String, String, (String) -> String) -> AnalyzerEntry?) -> ([AnalyzerEntry], [String]) {
        var entries: [AnalyzerEntry] = [], unparsed: [String] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = String(line)
            if l.isEmpty || l == "Connectivity diff:" { continue }
            if let e = parse(l, "\(file):\(i + 1): \(l)", { rename[$0] ?? $0 }) { entries.append(e) } else {
                unparsed.append("\(file):\(i + 1): cannot read `\(l)`")
            }
        }
        return (entries, unparsed)
    }

    static func check(_ key: String, _ found: [String], _ unparsed: [String], issues: [String]) {
        #expect(unparsed.isEmpty, "\(key): \(unparsed.joined(separator: "\n"))")
        if let e = exceptions[key] {
            #expect(found.count == e.disagreements, "\(key) (exception: \(e.reason)): \(found.count) disagreement(s), documented \(e.disagreements):\n\(found.joined(separator: "\n"))")
            #expect(e.issue.isEmpty ? issues.isEmpty : !issues.isEmpty && issues.allSatisfy { $0.contains(e.issue) },
                    "\(key): manifest issues \(issues)")
            return
        }
        #expect(issues.isEmpty, "\(key): manifest issues \(issues)")
        #expect(found.isEmpty, "\(key): \(found.count) disagreement(s):\n\(found.prefix(20).joined(separator: "\n"))")
    }

    @Test(arguments: connlistDirs)
    func connlistAgreesWithGolden(_ dir: String) throws {
        var o = Connectivity.Options(policies: [Fixture.input(dir)])
        if let e = Self.exceptions["connlist \(dir)"], !e.issue.isEmpty {
            // FlowMap refuses the directory (exit 2), as the API server refuses the object; compared with
            // --skip-invalid.
            #expect { _ = try Connectivity.run(o) } throws: { "\($0)".contains(e.issue) }
            o.accept.skipInvalid = true
        }
        let r = try Connectivity.run(o)
        let file = "connlist/\(dir)_connlist_output.txt"
        let (golden, unparsed) = Self.goldenEntries(try Fixture.golden(file), file: file,
                                                    rename: Self.renames([r.manifests]), parse: AnalyzerEntry.connlist)
        func peer(_ p: ConnectivityPeer) -> AnalyzerEntry.Peer {
            switch p {
            case .endpoint(let e): return .workload(e.description)
            case .range(let r): return .ranges([r])
            }
        }
        let ours = r.entries.map {
            AnalyzerEntry(source: peer($0.source), destination: peer($0.destination), value: $0.connections.description,
                          origin: "\($0.source) => \($0.destination) : \($0.connections)")
        }
        Self.check("connlist \(dir)", SemanticCompare.disagreements(golden: golden, flowmap: ours), unparsed,
                   issues: r.manifests.issues.map(\.description))
    }

    /// netpol-analyzer's `TsetOutputWithArgNamesOption_` golden: the same diff with ref names `old` / `new`.
    static let namedRefs = "TsetOutputWithArgNamesOption_"

    @Test(arguments: diffPairs.map { "\($0.old) -> \($0.new)" }
                     + ["onlineboutique_workloads -> onlineboutique_workloads_changed_netpols (old/new)"])
    func diffAgreesWithGolden(_ pair: String) throws {
        let named = pair.hasSuffix(" (old/new)")
        let sides = pair.replacingOccurrences(of: " (old/new)", with: "").components(separatedBy: " -> ")
        let (old, new) = (sides[0], sides[1])
        let r = try Diff.run(Diff.Options(old: .manifests([Fixture.input(old)]), new: .manifests([Fixture.input(new)])))
        let names = named ? DiffFormatter.Names(ref1: "old", ref2: "new") : DiffFormatter.Names()
        let file = "diff/\(named ? Self.namedRefs : "")diff_between_\(new)_and_\(old).txt"
        let (golden, unparsed) = Self.goldenEntries(try Fixture.golden(file), file: file,
                                                    rename: Self.renames([r.old, r.new]), parse: AnalyzerEntry.diff)
        let ours = r.report.changes.compactMap {
            let l = DiffFormatter.line($0, names)
            #expect(l.contains(", \(names.ref1): ") && l.contains(", \(names.ref2): "))
            return AnalyzerEntry.diff(l, origin: l, rename: { $0 })
        }
        #expect(ours.count == r.report.changes.count, "FlowMap's own diff lines must parse")
        Self.check("diff \(pair)", SemanticCompare.disagreements(golden: golden, flowmap: ours), unparsed,
                   issues: (r.old.issues + r.new.issues).map(\.description))
    }

    /// The comparison is not vacuous: one changed port, one missing line and one extra range are each named.
    @Test func comparisonNamesEachDisagreement() throws {
        let golden = """
            0.0.0.0-9.255.255.255[External] => ns/a[Deployment] : TCP 80
            ns/a[Deployment] => ns/b[Deployment] : SCTP 7070,TCP 8080
            ns/b[Deployment] => ns/a[Deployment] : All Connections
            """
        let (g, unparsed) = Self.goldenEntries(golden, file: "g", rename: [:], parse: AnalyzerEntry.connlist)
        #expect(unparsed.isEmpty)
        func e(_ s: AnalyzerEntry.Peer, _ d: AnalyzerEntry.Peer, _ c: String) -> AnalyzerEntry {
            AnalyzerEntry(source: s, destination: d, value: AnalyzerEntry.connections(c)!.description, origin: "\(c)")
        }
        let a = AnalyzerEntry.Peer.workload("ns/a[Deployment]"), b = AnalyzerEntry.Peer.workload("ns/b[Deployment]")
        let r = { (x: String, y: String) in AnalyzerEntry.Peer.ranges([IPRange(first: IPAddr(x)!, last: IPAddr(y)!)]) }
        // Same facts, cut differently and in FlowMap's protocol order: no disagreement.
        let same = [e(r("0.0.0.0", "4.255.255.255"), a, "TCP 80"), e(r("5.0.0.0", "9.255.255.255"), a, "TCP 80"),
                    e(a, b, "TCP 8080,SCTP 7070"), e(b, a, "All Connections")]
        #expect(SemanticCompare.disagreements(golden: g, flowmap: same).isEmpty)
        let wrong = [e(r("0.0.0.0", "10.0.0.0"), a, "TCP 80"), e(a, b, "TCP 8080")]
        let found = SemanticCompare.disagreements(golden: g, flowmap: wrong)
        #expect(found.count == 3)
        #expect(found.contains { $0.hasPrefix("golden g:2: ns/a[Deployment] => ns/b[Deployment]") && $0.hasSuffix("FlowMap: TCP 8080") })
        #expect(found.contains { $0.hasPrefix("golden g:3:") && $0.hasSuffix("FlowMap: nothing") })
        #expect(found.contains { $0.hasPrefix("golden: nothing — FlowMap: TCP 80") })
    }
}
