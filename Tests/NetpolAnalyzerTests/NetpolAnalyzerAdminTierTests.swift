import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy
import Testing

/// netpol-analyzer's admin-tier directories (AdminNetworkPolicy / BaselineAdminNetworkPolicy, Fixtures/SOURCES.md),
/// compared with their goldens exactly like the NetworkPolicy-only ones (docs/netpol-analyzer-goldens.md).
extension NetpolAnalyzerGoldenTests {
    static let adminConnlistDirs = [
        "anp_and_banp_using_networks_and_nodes_test", "anp_and_banp_using_networks_test",
        "anp_and_banp_using_networks_with_ipv6_test", "anp_banp_blog_demo", "anp_banp_core_test",
        "anp_banp_test_multiple_warnings", "anp_banp_test_with_named_port_matched",
        "anp_banp_test_with_named_port_unmatched", "anp_demo", "anp_np_banp_core_test", "anp_test_10",
        "anp_test_10_swapping_rules", "anp_test_11", "anp_test_11_swapping_rules", "anp_test_12",
        "anp_test_12_swapping_rules", "anp_test_1_deny_traffic_at_cluster_level",
        "anp_test_2_allow_traffic_at_cluster_level", "anp_test_3_pass_traffic", "anp_test_4",
        "anp_test_4_with_priority_chang_pass_to_banp", "anp_test_5", "anp_test_6", "anp_test_6_swapping_rules",
        "anp_test_7", "anp_test_7_swapping_rules", "anp_test_8", "anp_test_8_swapping_rules", "anp_test_9",
        "anp_test_9_swapping_rules", "anp_test_combining_test_6_and_test_10", "anp_test_ingress_egress_intersection",
        "anp_test_multiple_anps", "anp_test_named_ports_multiple_peers", "anp_with_banp_new_test",
        "anp_with_banp_pass_test", "anp_with_np_and_banp_pass_test", "anp_with_np_pass_test",
        "banp_test_core_egress_sctp_rules", "banp_test_core_egress_sctp_swapping_rules",
        "banp_test_core_egress_tcp_rules", "banp_test_core_egress_tcp_swapping_rules",
        "banp_test_core_egress_udp_rules", "banp_test_core_egress_udp_swapping_rules", "banp_test_core_gress_rules",
        "banp_test_core_gress_swapping_rules", "banp_test_core_ingress_sctp_rules",
        "banp_test_core_ingress_sctp_swapping_rules", "banp_test_core_ingress_tcp_rules",
        "banp_test_core_ingress_tcp_swapping_rules", "banp_test_core_ingress_udp_rules",
        "banp_test_core_ingress_udp_swapping_rules", "example_pods_w_same_owner_and_labels_gap_anp_good",
        "example_pods_w_same_owner_and_labels_gap_banp_good",
    ]

    /// (ref1 = OLD, ref2 = NEW), as `diffPairs`.
    static let adminDiffPairs: [(old: String, new: String)] = [
        ("anp_np_banp_core_test", "anp_banp_core_test"), ("anp_test_10", "anp_test_10_swapping_rules"),
        ("anp_test_11", "anp_test_11_swapping_rules"), ("anp_test_12", "anp_test_12_swapping_rules"),
        ("anp_test_4", "anp_test_4_with_priority_chang_pass_to_banp"), ("anp_test_6", "anp_test_6_swapping_rules"),
        ("anp_test_7", "anp_test_7_swapping_rules"), ("anp_test_8", "anp_test_8_swapping_rules"),
        ("anp_test_9", "anp_test_9_swapping_rules"),
        ("banp_test_core_egress_sctp_rules", "banp_test_core_egress_sctp_swapping_rules"),
        ("banp_test_core_egress_tcp_rules", "banp_test_core_egress_tcp_swapping_rules"),
        ("banp_test_core_egress_udp_rules", "banp_test_core_egress_udp_swapping_rules"),
        ("banp_test_core_gress_rules", "banp_test_core_gress_swapping_rules"),
        ("banp_test_core_ingress_sctp_rules", "banp_test_core_ingress_sctp_swapping_rules"),
        ("banp_test_core_ingress_tcp_rules", "banp_test_core_ingress_tcp_swapping_rules"),
        ("banp_test_core_ingress_udp_rules", "banp_test_core_ingress_udp_swapping_rules"),
    ]

    /// Admin-tier goldens FlowMap does not follow, and why (asserted like `exceptions`).
    static let adminExceptions: [String: Exception] = {
        // `pods` peers / subjects without `podSelector` or `namespaceSelector`: both are required by the CRD
        // schema of every network-policy-api release (NamespacedPod), so the API server refuses the object;
        // netpol-analyzer reads the missing selector as `{}`. FlowMap refuses it (exit 2), compared with
        // --skip-invalid (the object left out).
        let required = "pods selector missing: the API server refuses the object (Required value), netpol-analyzer reads it as {}"
        let requiredIssue = "Required value"
        // `networks` peer with a named port: the CRD's CEL rule refuses it; netpol-analyzer warns and goes on.
        let named = "networks peer with namedPort: the CRD's CEL rule refuses the object, netpol-analyzer warns"
        // IPv6 `networks`: netpol-analyzer ignores them (warning) and prints no IPv6 ranges; FlowMap evaluates them.
        let v6 = "IPv6 networks: netpol-analyzer ignores them and prints no IPv6 range; FlowMap evaluates them"
        // The example_pods_w_same_owner_* pods also carry ownerReferences without kind (see `exceptions`).
        var out: [String: Exception] = [
            "connlist anp_and_banp_using_networks_with_ipv6_test": Exception(reason: v6, disagreements: 6),
            "connlist anp_banp_test_multiple_warnings": Exception(reason: v6, disagreements: 4),
            "connlist anp_test_named_ports_multiple_peers":
                Exception(reason: named, disagreements: 2, issue: "cannot be set with namedPorts"),
        ]
        for (dir, n) in [("anp_demo", 4), ("anp_test_10", 2), ("anp_test_10_swapping_rules", 3), ("anp_test_11", 2),
                         ("anp_test_11_swapping_rules", 2), ("anp_test_12", 2), ("anp_test_12_swapping_rules", 2),
                         ("anp_test_3_pass_traffic", 1), ("anp_test_8", 2), ("anp_test_8_swapping_rules", 2),
                         ("anp_test_9", 4), ("anp_test_9_swapping_rules", 4), ("anp_test_combining_test_6_and_test_10", 2),
                         ("anp_test_multiple_anps", 8), ("example_pods_w_same_owner_and_labels_gap_anp_good", 14),
                         ("example_pods_w_same_owner_and_labels_gap_banp_good", 13)] {
            out["connlist \(dir)"] = Exception(reason: required, disagreements: n, issue: requiredIssue)
        }
        for n in [8, 9, 10, 11, 12] {
            out["diff anp_test_\(n) -> anp_test_\(n)_swapping_rules"] =
                Exception(reason: required + " (the refusal is asserted; nothing to compare)", disagreements: 0,
                          issue: requiredIssue)
        }
        return out
    }()

    /// Verdict lines count admin-tier objects as policies (anp_test_4: one ANP, one BANP, no NetworkPolicy), and
    /// their warnings reach the notes.
    @Test func adminTierObjectsAreCountedAndWarned() throws {
        let r = try Connectivity.run(Connectivity.Options(policies: [Fixture.input("anp_test_4")]))
        #expect(r.context.policies == 2)
        let nodes = try Connectivity.run(Connectivity.Options(policies: [Fixture.input("anp_and_banp_using_networks_and_nodes_test")]))
        #expect(nodes.notes.contains { $0.hasPrefix("warning: ") && $0.contains("spec.egress[0].to[0]: nodes peer") })
    }

    @Test(arguments: adminConnlistDirs)
    func adminTierConnlistAgreesWithGolden(_ dir: String) throws {
        try connlistAgreesWithGolden(dir)
    }

    @Test(arguments: adminDiffPairs.map { "\($0.old) -> \($0.new)" })
    func adminTierDiffAgreesWithGolden(_ pair: String) throws {
        if let e = Self.exceptions["diff \(pair)"], !e.issue.isEmpty {
            let sides = pair.components(separatedBy: " -> ")
            #expect { _ = try Diff.run(Diff.Options(old: .manifests([Fixture.input(sides[0])]),
                                                    new: .manifests([Fixture.input(sides[1])]))) }
                throws: { "\($0)".contains(e.issue) }
            return
        }
        try diffAgreesWithGolden(pair)
    }
}
