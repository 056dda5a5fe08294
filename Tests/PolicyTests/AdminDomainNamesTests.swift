import FlowModel
@testable import Policy
import Testing

/// T9: `domainNames` peers match external addresses by the DNS names the store observed for them (the names
/// `check --db` reads), exact or `*.` one-or-more leading labels, as the API reference describes.
@Suite struct AdminDomainNamesTests {
    static let policy = AdminTierRuleTests.cnp("egress", tier: "Admin", priority: 1, """
        \(AdminTierRuleTests.prodSubject)
        egress:
        - {action: Accept, to: [{domainNames: [example.com, "*.example.org"]}], protocols: [{tcp: {destinationPort: {number: 443}}}]}
        - {action: Deny, to: [{networks: [0.0.0.0/0]}]}
        """)

    static let names: [IPAddr: [String]] = [
        IPAddr("93.184.216.34")!: ["example.com"], IPAddr("93.184.216.35")!: ["cdn.www.Example.org."],
        IPAddr("93.184.216.36")!: ["example.org"], IPAddr("93.184.216.37")!: ["notexample.com"],
    ]

    func evaluator(names: [IPAddr: [String]]) -> (PolicyEvaluator, Int) {
        let set = ManifestReader.parse(text: Harness.cluster + "\n---\n" + Self.policy, file: "t.yaml")
        let ev = PolicyEvaluator(policies: set.policies, adminPolicies: set.adminPolicies,
                                 namespaces: Array(set.namespaces.values), workloads: WorkloadBuilder.workloads(from: set),
                                 dnsNames: names)
        return (ev, ev.workloads.firstIndex { $0.namespace == "prod" && $0.endpoint.name == "web" }!)
    }

    @Test func matchesObservedNames() {
        let (ev, web) = evaluator(names: Self.names)
        func conn(_ ip: String) -> String { ev.connections(from: .workload(web), to: .address(IPAddr(ip)!)).description }
        #expect(conn("93.184.216.34") == "TCP 443")  // exact
        #expect(conn("93.184.216.35") == "TCP 443")  // *.example.org: two leading labels, case and trailing dot ignored
        #expect(conn("93.184.216.36") == "No Connections")  // the wildcard does not match the bare domain
        #expect(conn("93.184.216.37") == "No Connections")  // whole labels only
        #expect(conn("8.8.8.8") == "No Connections")  // no name known
        // Without the store's names the peer matches nothing: only the Deny applies.
        let (bare, w) = evaluator(names: [:])
        #expect(bare.connections(from: .workload(w), to: .address(IPAddr("93.184.216.34")!)).description == "No Connections")
    }

    @Test func patternRules() {
        #expect(AdminPolicy.domain("kubernetes.io", matches: "kubernetes.io"))
        #expect(!AdminPolicy.domain("kubernetes.io", matches: "www.kubernetes.io"))
        #expect(AdminPolicy.domain("*.kubernetes.io", matches: "latest.blog.kubernetes.io"))
        #expect(!AdminPolicy.domain("*.kubernetes.io", matches: "kubernetes.io"))
        #expect(!AdminPolicy.domain("*.kubernetes.io", matches: "my-kubernetes.io"))
        #expect(AdminPolicy.domain("Blog.Kubernetes.IO.", matches: "blog.kubernetes.io"))
    }
}
