import FlowModel
@testable import Policy
import Testing

/// One test per rule of docs/admin-network-policy-semantics.md (T1-T9) and the validation of the admin kinds.
@Suite struct AdminTierRuleTests {
    static func anp(_ name: String, priority: Int, _ spec: String) -> String {
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: \(name)}\n"
            + "spec:\n  priority: \(priority)\n" + spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }

    static func banp(_ spec: String) -> String {
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\n"
            + "spec:\n" + spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }

    static func cnp(_ name: String, tier: String, priority: Int, _ spec: String) -> String {
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: \(name)}\n"
            + "spec:\n  tier: \(tier)\n  priority: \(priority)\n"
            + spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }

    static let denyAllIngressNP = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny, namespace: prod}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """

    static let prodSubject = "subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: prod}}}"

    func harness(_ docs: String...) -> Harness {
        let h = Harness(docs.joined(separator: "\n---\n"))
        #expect(h.set.issues.isEmpty, "\(h.set.issues)")
        return h
    }

    @Test func t1AdminAllowOverridesNetworkPolicyDeny() {
        let h = harness(Self.denyAllIngressNP, Self.anp("a", priority: 1, """
            \(Self.prodSubject)
            ingress:
            - {action: Allow, from: [{namespaces: {matchLabels: {env: dev}}}], ports: [{portNumber: {protocol: TCP, port: 8080}}]}
            """))
        #expect(h.conn("dev/client", "prod/web") == "TCP 8080")
        #expect(h.conn("prod/db", "prod/web") == "No Connections")  // not in the rule: the NetworkPolicy decides
    }

    @Test func t1AdminDenyOverridesNetworkPolicyAllow() {
        let h = harness(Self.anp("a", priority: 1, """
            \(Self.prodSubject)
            ingress:
            - {action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
            """), """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow, namespace: prod}
            spec: {podSelector: {}, ingress: [{}]}
            """)
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
        #expect(h.conn("prod/db", "prod/web") == "All Connections")
    }

    @Test func t2BaselineOnlyWhereNoNetworkPolicyIsolates() {
        let deny = Self.banp("""
            \(Self.prodSubject)
            ingress:
            - {action: Deny, from: [{namespaces: {}}]}
            """)
        let h = harness(deny)
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
        #expect(h.conn("prod/web", "dev/client") == "All Connections")  // dev is not a subject
        let isolated = harness(deny, """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-dev, namespace: prod}
            spec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}]}]}
            """)
        #expect(isolated.conn("dev/client", "prod/web") == "All Connections")  // the NetworkPolicy decides
        #expect(isolated.conn("dev/client", "prod/db") == "No Connections")  // db not isolated: baseline denies
    }

    @Test func t3FirstMatchingRuleAndLowestPriorityWin() {
        let h = harness(Self.anp("late", priority: 20, """
            \(Self.prodSubject)
            ingress:
            - {action: Deny, from: [{namespaces: {}}]}
            """), Self.anp("early", priority: 10, """
            \(Self.prodSubject)
            ingress:
            - {action: Allow, from: [{namespaces: {matchLabels: {env: dev}}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
            - {action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}], ports: [{portRange: {protocol: TCP, start: 1, end: 100}}]}
            - {action: Pass, from: [{namespaces: {matchLabels: {env: dev}}}], ports: [{portNumber: {protocol: UDP, port: 53}}]}
            """))
        // TCP 80 allowed by the first rule (before the deny that also covers it), UDP 53 passed to the
        // NetworkPolicy tier (none: allowed), everything else denied by the later policy.
        #expect(h.conn("dev/client", "prod/web") == "TCP 80,UDP 53")
    }

    @Test func t3PassLeavesTheDecisionToNetworkPolicies() {
        let h = harness(Self.denyAllIngressNP, Self.anp("p", priority: 1, """
            \(Self.prodSubject)
            ingress:
            - {action: Pass, from: [{namespaces: {}}]}
            - {action: Allow, from: [{namespaces: {}}]}
            """))
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
    }

    @Test func t4NamespacesAndPodsSelectByLabels() {
        let h = harness(Self.anp("a", priority: 1, """
            subject: {pods: {namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: db}}}}
            egress:
            - {action: Deny, to: [{pods: {namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {app: web}}}}]}
            """))
        #expect(h.conn("prod/db", "dev/web") == "No Connections")
        #expect(h.conn("prod/db", "dev/client") == "All Connections")
        #expect(h.conn("prod/web", "dev/web") == "All Connections")  // not a subject
    }

    @Test func t5PeersOred() {
        let h = harness(Self.anp("a", priority: 1, """
            \(Self.prodSubject)
            egress:
            - {action: Deny, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}}, {networks: [8.8.8.0/24]}]}
            """))
        #expect(h.conn("prod/web", "dev/client") == "No Connections")
        #expect(h.conn("prod/web", "8.8.8.8") == "No Connections")
        #expect(h.conn("prod/web", "dev/web") == "All Connections")
    }

    @Test func t6RuleWithoutPortsCoversEverything() {
        let h = harness(Self.anp("a", priority: 1, """
            \(Self.prodSubject)
            egress:
            - {action: Deny, to: [{namespaces: {matchLabels: {env: dev}}}], ports: [{portRange: {protocol: TCP, start: 1000, end: 2000}}]}
            - {action: Deny, to: [{networks: [1.2.3.4/32]}]}
            """))
        #expect(h.conn("prod/web", "dev/client") == "TCP 1-999,2001-65535,UDP 1-65535,SCTP 1-65535")
        #expect(h.conn("prod/web", "1.2.3.4") == "No Connections")
    }

    @Test func t7NamedPortResolvesAtTheDestination() {
        let h = harness(Self.denyAllIngressNP, Self.anp("a", priority: 1, """
            \(Self.prodSubject)
            ingress:
            - {action: Allow, from: [{namespaces: {}}], ports: [{namedPort: http}]}
            """))
        #expect(h.conn("dev/client", "prod/web") == "TCP 8080")
        #expect(h.conn("dev/client", "prod/db") == "TCP 9000")
    }

    @Test func t8NetworksMatchExternalAddressesAndPodIPs() {
        let h = harness(Self.anp("a", priority: 1, """
            \(Self.prodSubject)
            egress:
            - {action: Deny, to: [{networks: [10.0.2.0/24, 203.0.113.0/24]}]}
            """))
        #expect(h.conn("prod/web", "203.0.113.9") == "No Connections")
        #expect(h.conn("prod/web", "198.51.100.1") == "All Connections")
        #expect(h.conn("prod/web", "dev/client") == "No Connections")  // pod IP 10.0.2.1
    }

    @Test func t9NodesAndDomainNamesAreWarned() {
        let h = harness(Self.anp("a", priority: 1, """
            \(Self.prodSubject)
            egress:
            - {action: Allow, to: [{domainNames: [example.com]}]}
            - {action: Deny, to: [{nodes: {matchLabels: {role: infra}}}]}
            """))
        #expect(h.set.warnings.map(\.path) == ["spec.egress[0].to[0]", "spec.egress[1].to[0]"])
        #expect(h.conn("prod/web", "93.184.216.34") == "All Connections")
    }

    @Test func clusterNetworkPolicyTiersAndAccept() {
        let h = harness(Self.denyAllIngressNP, Self.cnp("admin", tier: "Admin", priority: 5, """
            \(Self.prodSubject)
            ingress:
            - {action: Accept, from: [{namespaces: {matchLabels: {env: dev}}}], protocols: [{tcp: {destinationPort: {number: 8080}}}]}
            """), Self.cnp("baseline", tier: "Baseline", priority: 5, """
            subject: {namespaces: {matchLabels: {env: dev}}}
            ingress:
            - {action: Deny, from: [{namespaces: {}}], protocols: [{udp: {destinationPort: {range: {start: 50, end: 60}}}}]}
            """))
        #expect(h.conn("dev/client", "prod/web") == "TCP 8080")
        #expect(h.conn("prod/web", "dev/client") == "TCP 1-65535,UDP 1-49,61-65535,SCTP 1-65535")
    }

    static func issues(_ doc: String) -> [String] {
        ManifestReader.parse(text: doc, file: "a.yaml").issues.map(\.description)
    }

    @Test func validationFollowsTheCRD() {
        #expect(Self.issues(Self.anp("a", priority: 1001, Self.prodSubject)).first?
                .hasSuffix("spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal to 1000") == true)
        #expect(Self.issues(Self.banp(Self.prodSubject).replacingOccurrences(of: "name: default", with: "name: x"))
                .first?.contains("Only one baseline admin network policy with metadata.name=\"default\"") == true)
        #expect(Self.issues(Self.banp("\(Self.prodSubject)\ningress:\n- {action: Pass, from: [{namespaces: {}}]}"))
                .first?.hasSuffix("spec.ingress[0].action: Unsupported value: \"Pass\": supported values: \"Allow\", \"Deny\"") == true)
        #expect(Self.issues(Self.anp("a", priority: 1, "\(Self.prodSubject)\negress:\n- {action: Deny, to: [{pods: {namespaceSelector: {}}}]}"))
                .first?.hasSuffix("spec.egress[0].to[0].pods.podSelector: Required value") == true)
        #expect(Self.issues(Self.anp("a", priority: 1, "\(Self.prodSubject)\negress:\n- {action: Deny, to: [{networks: [1.2.3.0/24]}], ports: [{namedPort: http}]}"))
                .first?.contains("networks/nodes/domainNames peer cannot be set with namedPorts") == true)
        #expect(Self.issues(Self.cnp("c", tier: "Middle", priority: 1, Self.prodSubject)).first?
                .hasSuffix("spec.tier: Unsupported value: \"Middle\": supported values: \"Admin\", \"Baseline\"") == true)
        #expect(Self.issues(Self.anp("a", priority: 1, "\(Self.prodSubject)\ningress:\n- {action: Allow, from: [{namespaces: {}}], ports: [{portRange: {protocol: TCP, start: 9, end: 9}}]}"))
                .first?.contains("Start port must be less than End port") == true)
    }

    @Test func equalPrioritiesAreWarnedAndOrderedByName() {
        let h = harness(Self.anp("b", priority: 3, "\(Self.prodSubject)\ningress:\n- {action: Allow, from: [{namespaces: {}}]}"),
                        Self.anp("a", priority: 3, "\(Self.prodSubject)\ningress:\n- {action: Deny, from: [{namespaces: {}}]}"))
        #expect(h.set.warnings.count == 1)
        #expect(h.set.warnings.first?.message.contains("AdminNetworkPolicy/a, AdminNetworkPolicy/b have the same priority 3") == true)
        #expect(h.conn("dev/client", "prod/web") == "No Connections")  // `a` first
    }
}

/// `explain` names the admin or baseline rule that decides the port (its verdict is the shared one).
@Suite struct AdminTierExplainTests {
    @Test func explainNamesTheDecidingTierRule() {
        let h = Harness(AdminTierRuleTests.anp("a", priority: 1, """
            \(AdminTierRuleTests.prodSubject)
            ingress:
            - {action: Pass, from: [{namespaces: {matchLabels: {env: dev}}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
            - {action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
            """) + "\n---\n" + AdminTierRuleTests.banp("""
            \(AdminTierRuleTests.prodSubject)
            ingress:
            - {action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
            """))
        let client = h.ev.workloads.first { $0.endpoint.name == "client" }!.endpoint
        let web = h.ev.workloads.first { $0.namespace == "prod" && $0.endpoint.name == "web" }!.endpoint
        let denied = PolicyExplanation(h.ev, source: client, destination: web, proto: .tcp, port: 443)
        #expect(!denied.allowed)
        #expect(denied.ingress.rules == ["AdminNetworkPolicy/a ingress[1] (Admin tier, priority 1): Deny TCP 443"])
        let passed = PolicyExplanation(h.ev, source: client, destination: web, proto: .tcp, port: 80)
        #expect(!passed.allowed)
        #expect(passed.ingress.rules == ["AdminNetworkPolicy/a ingress[0] (Admin tier, priority 1): Pass (to the next tier) TCP 80",
                                         "BaselineAdminNetworkPolicy/default ingress[0] (Baseline tier): Deny TCP 80"])
        #expect(passed.text.contains("BaselineAdminNetworkPolicy/default ingress[0]"))
    }
}
