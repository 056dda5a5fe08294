import FlowModel
import Testing
@testable import Policy

/// Exposure through the admin tiers (docs/exposure.md, X1-X4) where netpol-analyzer's goldens say nothing or differ:
/// `networks` peers that may hold a new pod's address, and admin-tier named ports. The goldens
/// (NetpolAnalyzerExposureTests.adminTierExposureAgreesWithGolden) cover the rest.
@Suite struct ExposureAdminTierTests {
    func lines(_ h: Harness, _ workload: String) -> [String] {
        let r = ConnectivityMap(h.ev).exposure(includeExternal: false)
        let name = workload + "[Pod]"
        return r.entries.filter { $0.workload.description == name }.map { "\($0.egress ? "=>" : "<=") \($0.peer) : \($0.connections)" }
            + r.unprotected.filter { $0.workload.description == name }.map { "unprotected \($0.egress ? "Egress" : "Ingress")" }
    }

    /// An AdminNetworkPolicy selecting prod/web with these egress rules.
    func anp(_ egress: String) -> String {
        """
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: a}
        spec:
          priority: 1
          subject: {pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: prod}}, podSelector: {matchLabels: {app: web}}}}
          egress:
        \(egress.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    let denyEgress = np("prod", "deny", """
        podSelector: {matchLabels: {app: web}}
        policyTypes: [Egress]
        """)

    /// X3: T8 makes `networks` match cluster pods by IP; a new pod may get an address inside 0.0.0.0/0, so an Allow
    /// there admits the entire cluster (netpol-analyzer never matches networks against pods). 8.8.8.8/32 is outside
    /// the private space and holds no known pod: it cannot hold a new pod either.
    @Test func networksAllowMayAdmitPodsThatDoNotExist() {
        let wide = Harness(anp("- {name: r, action: Allow, to: [{networks: [0.0.0.0/0]}], ports: [{portNumber: {protocol: TCP, port: 443}}]}")
                           + "\n---\n" + denyEgress)
        #expect(lines(wide, "prod/web") == ["=> entire-cluster : TCP 443", "<= entire-cluster : All Connections", "unprotected Ingress"])
        let narrow = Harness(anp("- {name: r, action: Allow, to: [{networks: [8.8.8.8/32]}], ports: [{portNumber: {protocol: TCP, port: 443}}]}")
                             + "\n---\n" + denyEgress)
        #expect(lines(narrow, "prod/web") == ["<= entire-cluster : All Connections", "unprotected Ingress"])
    }

    /// X3: a Deny that may match a new pod is skipped (the upper bound), so the Allow after it decides; the
    /// workload is protected on egress by the admin tier alone (X1).
    @Test func networksDenyThatMayMatchIsSkipped() {
        let h = Harness(anp("""
            - {name: d, action: Deny, to: [{networks: [10.0.0.0/8]}]}
            - {name: a, action: Allow, to: [{namespaces: {}}]}
            """))
        #expect(lines(h, "prod/web") == ["=> entire-cluster : All Connections", "<= entire-cluster : All Connections", "unprotected Ingress"])
    }

    /// X3: a Pass that may match admits what the next tier (the NetworkPolicy isolating web) admits, though a Deny
    /// of everything follows it.
    @Test func networksPassThatMayMatchAdmitsWhatTheNextTierDoes() {
        let h = Harness(anp("""
            - {name: p, action: Pass, to: [{networks: [10.0.0.0/8]}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
            - {name: d, action: Deny, to: [{namespaces: {}}]}
            """) + "\n---\n" + np("prod", "allow", """
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            egress: [{to: [{namespaceSelector: {}}], ports: [{port: 80}, {port: 81}]}]
            """))
        #expect(lines(h, "prod/web") == ["=> entire-cluster : TCP 80", "<= entire-cluster : All Connections", "unprotected Ingress"])
    }

    /// X4: an admin-tier `namedPort` on egress stays a name without a protocol (whatever the new pod declares it
    /// with), written before the numbered ports.
    @Test func adminNamedPortsStayNamesWithoutProtocol() {
        let h = Harness(anp("- {name: r, action: Allow, to: [{namespaces: {}}], ports: [{namedPort: http}, {portNumber: {protocol: UDP, port: 53}}]}")
                        + "\n---\n" + denyEgress)
        #expect(lines(h, "prod/web") == ["=> entire-cluster : http,UDP 53", "<= entire-cluster : All Connections", "unprotected Ingress"])
    }
}
