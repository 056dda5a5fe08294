import FlowModel
import Testing
@testable import Policy

/// One test per rule of docs/netpol-semantics.md (shared/docs), each on a small manifest with the expected
/// answer written out. Rule IDs are in the test names.
@Suite struct SemanticsRuleTests {
    // MARK: A. Selection and isolation

    @Test func a1_noPolicyAllowsEverything() {
        let h = Harness("")
        #expect(h.conn("dev/client", "prod/web") == "All Connections")
        #expect(h.conn("prod/web", "1.1.1.1") == "All Connections")
        #expect(h.conn("1.1.1.1", "prod/db") == "All Connections")
    }

    @Test func a2_isolationIsPerDirectionAndOwnNamespace() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Ingress]"))
        #expect(h.conn("dev/client", "prod/web") == "No Connections")  // ingress isolated
        #expect(h.conn("prod/web", "dev/client") == "All Connections")  // egress independent
        #expect(h.conn("dev/client", "dev/web") == "All Connections")  // same labels, other namespace
        #expect(h.ev.isIngressIsolated(h.ev.indexes(of: .workload("prod", "web", kind: "Pod"))[0]))
    }

    @Test func a3_emptyPodSelectorSelectsWholeNamespaceOnly() {
        let h = Harness(np("prod", "podSelector: {}\npolicyTypes: [Ingress]"))
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
        #expect(h.conn("dev/client", "prod/db") == "No Connections")
        #expect(h.conn("prod/web", "dev/web") == "All Connections")
        let omitted = Harness(np("prod", "policyTypes: [Ingress]"))  // podSelector omitted = {}
        #expect(omitted.conn("dev/client", "prod/db") == "No Connections")
    }

    @Test func a4_policyTypesDefaulting() {
        // egress: [] without policyTypes does NOT isolate egress; ingress is isolated.
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: web}}\negress: []"))
        #expect(h.conn("prod/web", "dev/client") == "All Connections")
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
        #expect(h.set.policies[0].policyTypes == [.ingress])
        // Non-empty egress adds Egress.
        let e = Harness(np("prod", "podSelector: {matchLabels: {app: web}}\negress: [{to: [{podSelector: {}}]}]"))
        #expect(e.set.policies[0].policyTypes == [.ingress, .egress])
        #expect(e.conn("prod/web", "dev/client") == "No Connections")
        #expect(e.conn("prod/web", "prod/db") == "All Connections")
        // Explicit Egress with no rules denies all egress.
        let d = Harness(np("prod", "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Egress]"))
        #expect(d.conn("prod/web", "prod/db") == "No Connections")
        #expect(d.conn("dev/client", "prod/web") == "All Connections")
    }

    @Test func a5_explicitPolicyTypesIgnoreOtherDirection() {
        let h = Harness(np("prod", """
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]
            egress: [{}]
            """))
        #expect(h.conn("dev/client", "prod/web") == "All Connections")  // ingress rules irrelevant, not isolated
        #expect(h.conn("prod/web", "dev/client") == "All Connections")
    }

    @Test func a6_isolatedWithoutRulesAllowsNothing() {
        let h = Harness(np("prod", "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress: []\negress: []"))
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
        #expect(h.conn("1.2.3.4", "prod/db") == "No Connections")
        #expect(h.conn("prod/db", "1.2.3.4") == "No Connections")
    }

    @Test func a7_policiesAreAdditive() {
        let h = Harness(np("prod", "deny", "podSelector: {}\npolicyTypes: [Ingress]") + "\n---\n"
            + np("prod", "a", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {}}], ports: [{port: 5432}]}]")
            + "\n---\n"
            + np("prod", "b", "podSelector: {matchLabels: {app: db}}\ningress: [{ports: [{protocol: UDP, port: 53}]}]"))
        #expect(h.conn("dev/client", "prod/db") == "TCP 5432,UDP 53")
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
    }

    @Test func a8_unselectedPodStaysOpen() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\npolicyTypes: [Ingress, Egress]"))
        #expect(h.conn("dev/client", "prod/web") == "All Connections")
        #expect(h.conn("prod/web", "1.1.1.1") == "All Connections")
    }

    @Test func a9_policyTypesValidation() {
        let three = issues(np("prod", "podSelector: {}\npolicyTypes: [Ingress, Egress, Ingress]"))
        #expect(three.contains { $0.path == "spec.policyTypes" && $0.message.contains("Too many") })
        let bad = issues(np("prod", "podSelector: {}\npolicyTypes: [Ingres]"))
        #expect(bad.map(\.path) == ["spec.policyTypes[0]"])
        #expect(bad[0].message.contains("Unsupported value"))
    }

    // MARK: B. Connection decision

    @Test func b1_bothEgressAndIngressMustAllow() {
        let h = Harness(np("dev", "e", "podSelector: {matchLabels: {app: client}}\npolicyTypes: [Egress]\negress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}]}]")
            + "\n---\n" + np("prod", "i", "podSelector: {}\ningress: [{from: [{namespaceSelector: {}}]}]"))
        #expect(h.conn("dev/client", "prod/db") == "All Connections")
        #expect(h.conn("dev/client", "prod/web") == "No Connections")  // web's ingress allows, client's egress does not
        #expect(h.conn("dev/web", "prod/web") == "All Connections")
    }

    @Test func b2_externalPeersOnlyEvaluateThePodSide() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Ingress, Egress]\ningress: [{from: [{ipBlock: {cidr: 1.2.3.0/24}}], ports: [{port: 443}]}]"))
        #expect(h.conn("1.2.3.4", "prod/web") == "TCP 443")
        #expect(h.conn("1.2.4.4", "prod/web") == "No Connections")
        #expect(h.conn("prod/web", "1.2.3.4") == "No Connections")
        #expect(h.conn("prod/db", "1.2.3.4") == "All Connections")
    }

    @Test func b3_replyTrafficNeedsNoReverseRule() {
        // db allows ingress from web only and denies all egress: web -> db is still allowed (the reply rides on it).
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\npolicyTypes: [Ingress, Egress]\ningress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]"))
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
        #expect(h.conn("prod/db", "prod/web") == "No Connections")  // new connections the other way are not
    }

    @Test func b4_rulesPeersAndPortsCombine() {
        let h = Harness(np("prod", """
            podSelector: {matchLabels: {app: db}}
            ingress:
            - from: [{podSelector: {matchLabels: {app: web}}}, {namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {app: client}}}]
              ports: [{port: 5432}, {port: 6432}]
            - from: [{namespaceSelector: {matchLabels: {env: dev}}}]
              ports: [{protocol: UDP, port: 53}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "TCP 5432,6432")
        #expect(h.conn("dev/client", "prod/db") == "TCP 5432,6432,UDP 53")
        #expect(h.conn("dev/web", "prod/db") == "UDP 53")
    }

    @Test func b5_ownNodeTrafficIsAlwaysAllowed() {
        let h = Harness(np("prod", "podSelector: {}\npolicyTypes: [Ingress, Egress]"))
        #expect(h.conn("node", "prod/web") == "All Connections")
        #expect(h.conn("prod/web", "node") == "All Connections")
        #expect(h.conn("10.9.9.9", "prod/web") == "No Connections")  // another node's address is just an address
    }

    @Test func b6_selfTrafficOfAPod() {
        let policy = np("prod", "podSelector: {}\npolicyTypes: [Ingress, Egress]")
        #expect(Harness(policy).conn("prod/web", "prod/web") == "All Connections")
        let cyclonus = Harness(policy, options: EvaluatorOptions(selfAlwaysAllowed: false))
        #expect(cyclonus.conn("prod/web", "prod/web") == "No Connections")
        // Replicas of one Deployment are different pods: evaluated like any pair.
        let deploy = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: prod}
            spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: x}]}}}
            """
        let h = Harness(policy, cluster: Harness.cluster + "\n---\n" + deploy)
        let api = h.ev.indexes(of: .workload("prod", "api", kind: "Deployment"))[0]
        #expect(h.ev.connections(from: .workload(api), to: .workload(api)) == .none)
    }

    @Test func b7_onlyTCPUDPSCTPAreModelled() {
        let h = Harness("")
        let c = h.ev.connections(from: h.peer("dev/client"), to: h.peer("prod/web"))
        #expect(c.isAll)
        #expect(!c.contains(.icmpv4, 0))  // undefined under NetworkPolicy: never claimed allowed
        #expect(ConnectionSet.protocols == [.tcp, .udp, .sctp])
    }

    // B8 (existing connections after a policy change) is a runtime property: a static evaluator answers for new
    // connections only; documented in EvaluatorOptions, nothing to test.

    // MARK: C. Peers

    @Test func c1_barePodSelectorMeansPolicyNamespace() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]"))
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
        #expect(h.conn("dev/web", "prod/db") == "No Connections")  // same labels, source namespace irrelevant
    }

    @Test func c2_bareNamespaceSelectorMeansAllPodsThere() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}]}]"))
        #expect(h.conn("dev/web", "prod/db") == "All Connections")
        #expect(h.conn("dev/bare", "prod/db") == "All Connections")
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
    }

    @Test func c3_sameItemIsAndSeparateItemsAreOr() {
        let and = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {app: client}}}]}]"))
        #expect(and.conn("dev/client", "prod/db") == "All Connections")
        #expect(and.conn("dev/web", "prod/db") == "No Connections")
        let or = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}, {podSelector: {matchLabels: {app: client}}}]}]"))
        #expect(or.conn("dev/web", "prod/db") == "All Connections")
        // Exists in the podSelector of an AND item still spans the selected namespaces (NCA gets this wrong).
        let exists = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchExpressions: [{key: app, operator: Exists}]}}]}]"))
        #expect(exists.conn("dev/client", "prod/db") == "All Connections")
        #expect(exists.conn("dev/bare", "prod/db") == "No Connections")
    }

    @Test func c4_emptySelectorsMeanAllPodsButNoAddresses() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {}}]}]"))
        #expect(h.conn("dev/bare", "prod/db") == "All Connections")
        #expect(h.conn("1.2.3.4", "prod/db") == "No Connections")
        let pods = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{podSelector: {}}]}]"))
        #expect(pods.conn("prod/web", "prod/db") == "All Connections")
        #expect(pods.conn("dev/web", "prod/db") == "No Connections")
    }

    @Test func c5_missingOrEmptyPeersMatchEverything() {
        for rule in ["[{ports: [{port: 5432}]}]", "[{from: [], ports: [{port: 5432}]}]"] {
            let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: \(rule)"))
            #expect(h.conn("1.2.3.4", "prod/db") == "TCP 5432")
            #expect(h.conn("dev/bare", "prod/db") == "TCP 5432")
            #expect(h.conn("world", "prod/db") == "TCP 5432")
        }
    }

    @Test func c6_emptyRuleVersusEmptyList() {
        let all = Harness(np("prod", "podSelector: {}\ningress: [{}]"))
        #expect(all.conn("1.2.3.4", "prod/db") == "All Connections")
        for none in ["ingress: []", "ingress:", "policyTypes: [Ingress]"] {
            let h = Harness(np("prod", "podSelector: {}\n\(none)"))
            #expect(h.conn("dev/client", "prod/db") == "No Connections")
        }
        let egressAll = Harness(np("prod", "podSelector: {}\npolicyTypes: [Egress]\negress: [{}]"))
        #expect(egressAll.conn("prod/db", "8.8.8.8") == "All Connections")
    }

    @Test func c7_peerValidation() {
        let empty = issues(np("prod", "podSelector: {}\ningress: [{from: [{}]}]"))
        #expect(empty.map(\.path) == ["spec.ingress[0].from[0]"])
        #expect(empty[0].message == "Required value: must specify a peer")
        let both = issues(np("prod", "podSelector: {}\negress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]"))
        #expect(both.map(\.path) == ["spec.egress[0].to[0]"])
        #expect(both[0].message.contains("may not specify both ipBlock and another peer"))
    }

    @Test func c8_namespaceSelectorMatchesLabelsNotNames() {
        // A label that happens to equal a namespace name is just a label.
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {matchLabels: {name: dev}}}]}]"))
        #expect(h.conn("dev/client", "prod/db") == "No Connections")
    }

    @Test func c9_metadataNameLabelIsSynthesized() {
        let policy = np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dev}}}]}]")
        #expect(Harness(policy).conn("dev/client", "prod/db") == "All Connections")  // Namespace lacks the label
        let noNamespaces = Harness.cluster.components(separatedBy: "---\n").filter { !$0.contains("kind: Namespace") }
            .joined(separator: "---\n")
        #expect(Harness(policy, cluster: noNamespaces).conn("dev/client", "prod/db") == "All Connections")
    }

    // MARK: D. Label selectors

    @Test func d1_matchLabelsAndExpressionsAreAnded() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [frontend]}]}\npolicyTypes: [Ingress]"))
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
        let miss = Harness(np("prod", "podSelector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [backend]}]}\npolicyTypes: [Ingress]"))
        #expect(miss.conn("dev/client", "prod/web") == "All Connections")
        #expect(LabelSelector().matches([:]))
    }

    @Test func d2_notInAndDoesNotExistMatchMissingKeys() {
        let notIn = Harness(np("dev", "podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [client, web]}]}\npolicyTypes: [Ingress]"))
        #expect(notIn.conn("prod/web", "dev/bare") == "No Connections")  // no app label: selected
        #expect(notIn.conn("prod/web", "dev/client") == "All Connections")
        let dne = Harness(np("dev", "podSelector: {matchExpressions: [{key: app, operator: DoesNotExist}]}\npolicyTypes: [Ingress]"))
        #expect(dne.conn("prod/web", "dev/bare") == "No Connections")
        #expect(dne.conn("prod/web", "dev/web") == "All Connections")
        let inOp = Harness(np("dev", "podSelector: {matchExpressions: [{key: app, operator: In, values: [x]}]}\npolicyTypes: [Ingress]"))
        #expect(inOp.conn("prod/web", "dev/bare") == "All Connections")
    }

    @Test func d3_selectorValidation() {
        let noValues = issues(np("prod", "podSelector: {matchExpressions: [{key: app, operator: In, values: []}]}"))
        #expect(noValues.map(\.path) == ["spec.podSelector.matchExpressions[0].values"])
        let withValues = issues(np("prod", "podSelector: {matchExpressions: [{key: app, operator: Exists, values: [a]}]}"))
        #expect(withValues.map(\.path) == ["spec.podSelector.matchExpressions[0].values"])
        let badOp = issues(np("prod", "podSelector: {}\ningress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: Equals, values: [a]}]}}]}]"))
        #expect(badOp.map(\.path) == ["spec.ingress[0].from[0].podSelector.matchExpressions[0].operator"])
        let badKey = issues(np("prod", "podSelector: {matchLabels: {\"-bad\": x}}"))
        #expect(badKey.count == 1)
        let badValue = issues(np("prod", "podSelector: {matchLabels: {app: \"a b\"}}"))
        #expect(badValue.count == 1)
    }

    // MARK: E. ipBlock

    @Test func e1_exceptIsSubtracted() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Egress]\negress: [{to: [{ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}}]}, {to: [{ipBlock: {cidr: \"2001:db8::/32\", except: [\"2001:db8:1::/48\"]}}]}]"))
        #expect(h.conn("prod/web", "172.17.0.9") == "All Connections")
        #expect(h.conn("prod/web", "172.17.1.9") == "No Connections")
        #expect(h.conn("prod/web", "172.18.0.1") == "No Connections")
        #expect(h.conn("prod/web", "2001:db8:2::1") == "All Connections")
        #expect(h.conn("prod/web", "2001:db8:1::1") == "No Connections")
    }

    @Test func e2_ipBlockValidation() {
        let outside = issues(np("prod", "podSelector: {}\negress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]"))
        #expect(outside.map(\.path) == ["spec.egress[0].to[0].ipBlock.except[0]"])
        #expect(outside[0].message.contains("strict subset"))
        let equal = issues(np("prod", "podSelector: {}\negress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]}]"))
        #expect(equal.count == 1)
        let bad = issues(np("prod", "podSelector: {}\negress: [{to: [{ipBlock: {cidr: 10.0.0.300/16}}]}]"))
        #expect(bad.map(\.path) == ["spec.egress[0].to[0].ipBlock.cidr"])
        let missing = issues(np("prod", "podSelector: {}\negress: [{to: [{ipBlock: {}}]}]"))
        #expect(missing.map(\.path) == ["spec.egress[0].to[0].ipBlock.cidr"])
    }

    @Test func e3_ipBlockAndPodIPsIsASwitch() {
        let policy = np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{ipBlock: {cidr: 10.0.2.0/24}}]}]")
        #expect(Harness(policy).conn("dev/client", "prod/db") == "No Connections")  // NPA / NCA
        let e2e = Harness(policy, options: EvaluatorOptions(ipBlockMatchesPodIPs: true))
        #expect(e2e.conn("dev/client", "prod/db") == "All Connections")  // upstream e2e / cyclonus
        #expect(e2e.conn("prod/web", "prod/db") == "No Connections")
        #expect(e2e.conn("10.0.2.77", "prod/db") == "All Connections")
    }

    // E4 (rewritten addresses) is outside a static evaluator: callers pass the address the ipBlock sees.

    @Test func e5_hostNetworkPodsAsNodeTrafficMatchIPBlocks() {
        let cluster = Harness.cluster + """

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: agent, namespace: dev, labels: {app: agent}}
            spec: {hostNetwork: true, nodeName: n2, containers: [{name: c, image: x}]}
            status: {podIP: 192.168.0.12, hostIP: 192.168.0.12}
            """
        let policy = np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{ipBlock: {cidr: 192.168.0.0/24}}]}]")
        #expect(Harness(policy, cluster: cluster).conn("dev/agent", "prod/db") == "No Connections")
        let node = Harness(policy, cluster: cluster, options: EvaluatorOptions(hostNetwork: .asNode))
        #expect(node.conn("dev/agent", "prod/db") == "All Connections")
    }

    // MARK: F. Ports and protocols

    @Test func f1_protocolDefaultsToTCP() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{ports: [{port: 53}]}]"))
        #expect(h.conn("dev/client", "prod/db") == "TCP 53")
        #expect(h.allows("dev/client", "prod/db", .tcp, 53))
        #expect(!h.allows("dev/client", "prod/db", .udp, 53))
    }

    @Test func f2_portlessEntryMeansAllPortsOfItsProtocol() {
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{ports: [{protocol: UDP}]}]"))
        #expect(h.conn("dev/client", "prod/db") == "UDP 1-65535")
        #expect(!h.allows("dev/client", "prod/db", .tcp, 80))
    }

    @Test func f3_emptyPortsMeansEverything() {
        for ports in ["", ", ports: []"] {
            let h = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{from: [{namespaceSelector: {}}]\(ports)}]"))
            #expect(h.conn("dev/client", "prod/db") == "All Connections")
        }
    }

    @Test func f4_endPortRange() {
        let policy = np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{ports: [{port: 32000, endPort: 32768}]}]")
        let h = Harness(policy)
        #expect(h.conn("dev/client", "prod/db") == "TCP 32000-32768")
        #expect(h.allows("dev/client", "prod/db", .tcp, 32768))
        #expect(!h.allows("dev/client", "prod/db", .tcp, 32769))
        let old = Harness(policy, options: EvaluatorOptions(endPortSupported: false))
        #expect(old.conn("dev/client", "prod/db") == "TCP 32000")
        let named = issues(np("prod", "podSelector: {}\ningress: [{ports: [{port: http, endPort: 90}]}]"))
        #expect(named.map(\.path) == ["spec.ingress[0].ports[0].endPort"])
        let noPort = issues(np("prod", "podSelector: {}\ningress: [{ports: [{endPort: 90}]}]"))
        #expect(noPort.map(\.path) == ["spec.ingress[0].ports[0].endPort"])
        let below = issues(np("prod", "podSelector: {}\ningress: [{ports: [{port: 100, endPort: 90}]}]"))
        #expect(below.map(\.path) == ["spec.ingress[0].ports[0].endPort"])
    }

    @Test func f5_namedPortsResolveOnTheDestination() {
        // Ingress: the selected pod's own port numbers (web: http=8080, db: http=9000).
        let ingress = Harness(np("prod", "podSelector: {}\ningress: [{ports: [{port: http}]}]"))
        #expect(ingress.conn("dev/client", "prod/web") == "TCP 8080")
        #expect(ingress.conn("dev/client", "prod/db") == "TCP 9000")
        // Egress: each destination's number.
        let egress = Harness(np("dev", "podSelector: {matchLabels: {app: client}}\npolicyTypes: [Egress]\negress: [{ports: [{port: http}, {protocol: UDP, port: dns}]}]"))
        #expect(egress.conn("dev/client", "prod/web") == "TCP 8080")
        #expect(egress.conn("dev/client", "prod/db") == "TCP 9000,UDP 53")
        // Name AND protocol: dns is UDP on db, so a TCP dns entry does not resolve.
        let tcpDNS = Harness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{ports: [{port: dns}]}]"))
        #expect(tcpDNS.conn("dev/client", "prod/db") == "No Connections")
    }

    @Test func f6_unresolvedNamedPortMatchesNothingWithoutError() {
        let h = Harness(np("prod", "podSelector: {}\ningress: [{ports: [{port: pg}, {port: 443}]}]"))
        #expect(h.set.issues.isEmpty)
        #expect(h.conn("dev/client", "prod/web") == "TCP 443")  // web has no pg
        #expect(h.conn("dev/client", "prod/db") == "TCP 443,5432")
        let external = Harness(np("prod", "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Egress]\negress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: http}]}]"))
        #expect(external.set.issues.isEmpty)
        #expect(external.conn("prod/web", "8.8.8.8") == "No Connections")
    }

    @Test func f7_portAndProtocolValidation() {
        let icmp = issues(np("prod", "podSelector: {}\ningress: [{ports: [{protocol: ICMP}]}]"))
        #expect(icmp.map(\.path) == ["spec.ingress[0].ports[0].protocol"])
        let lower = issues(np("prod", "podSelector: {}\ningress: [{ports: [{protocol: tcp}]}]"))
        #expect(lower.count == 1)
        let zero = issues(np("prod", "podSelector: {}\ningress: [{ports: [{port: 0}]}]"))
        #expect(zero.map(\.path) == ["spec.ingress[0].ports[0].port"])
        let big = issues(np("prod", "podSelector: {}\ningress: [{ports: [{port: 70000}]}]"))
        #expect(big.count == 1)
        for name in ["HTTP", "a-very-long-port-name", "80a-", "8080x--y", "\"8080\""] {
            #expect(issues(np("prod", "podSelector: {}\ningress: [{ports: [{port: \(name)}]}]")).count == 1, "\(name)")
        }
        #expect(issues(np("prod", "podSelector: {}\ningress: [{ports: [{port: h2c-1}]}]")).isEmpty)
    }

    // MARK: G. Pods and workloads

    @Test func g1_hostNetworkPodsAreASwitch() {
        let cluster = Harness.cluster + """

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: agent, namespace: prod, labels: {app: agent}}
            spec: {hostNetwork: true, nodeName: n1, containers: [{name: c, image: x}]}
            status: {podIP: 192.168.0.11, hostIP: 192.168.0.11}
            """
        let policy = np("prod", "podSelector: {}\ningress: [{from: [{podSelector: {matchLabels: {app: agent}}}]}]")
        let pods = Harness(policy, cluster: cluster)
        #expect(pods.conn("prod/agent", "prod/db") == "All Connections")  // selected as a pod
        #expect(pods.conn("dev/client", "prod/agent") == "No Connections")  // and isolated as one
        let node = Harness(policy, cluster: cluster, options: EvaluatorOptions(hostNetwork: .asNode))
        #expect(node.conn("dev/client", "prod/agent") == "All Connections")  // never isolated
        #expect(node.conn("prod/agent", "prod/db") == "All Connections")  // same node n1: node traffic
        #expect(node.conn("prod/agent", "dev/web") == "All Connections")  // dev/web not isolated
        let other = Harness(np("dev", "podSelector: {}\ningress: [{from: [{namespaceSelector: {}}]}]"), cluster: cluster,
                            options: EvaluatorOptions(hostNetwork: .asNode))
        #expect(other.conn("prod/agent", "dev/web") == "No Connections")  // other node, not a pod to selectors
    }

    @Test func g2_initContainerPortsCount() {
        let cluster = Harness.cluster + """

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: side, namespace: prod, labels: {app: side}}
            spec:
              initContainers: [{name: proxy, image: x, ports: [{containerPort: 15001, name: proxy}]}]
              containers: [{name: c, image: x}]
            """
        let h = Harness(np("prod", "podSelector: {matchLabels: {app: side}}\ningress: [{ports: [{port: proxy}]}]"), cluster: cluster)
        #expect(h.conn("dev/client", "prod/side") == "TCP 15001")
    }

    // G3 / G4 (no Service or node targeting) are limits of the API: nothing in the model can express them.

    @Test func g5_podsGroupByOwnerAndControllersExpand() {
        let cluster = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: api-7d9f8c6b5-abcde
              labels: {app: api, pod-template-hash: 7d9f8c6b5}
              ownerReferences: [{kind: ReplicaSet, name: api-7d9f8c6b5, controller: true}]
            status: {podIP: 10.0.0.1}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: api-7d9f8c6b5-fghij
              labels: {app: api, pod-template-hash: 7d9f8c6b5}
              ownerReferences: [{kind: ReplicaSet, name: api-7d9f8c6b5, controller: true}]
            status: {podIP: 10.0.0.2}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: kube-apiserver-n1
              namespace: kube-system
              labels: {component: kube-apiserver}
              ownerReferences: [{kind: Node, name: n1, controller: true}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: data}
            spec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432, name: pg}]}]}}}
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: backup, namespace: data}
            spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: backup}}, spec: {containers: [{name: c, image: x}]}}}}}
            """
        let set = ManifestReader.parse(text: cluster, file: "c.yaml")
        let ws = WorkloadBuilder.workloads(from: set)
        #expect(ws.map(\.endpoint.description) == ["default/api[Deployment]", "kube-system/kube-apiserver-n1[Pod]",
                                                   "data/db[StatefulSet]", "data/backup[CronJob]"])
        #expect(ws[0].ips.count == 2)
        #expect(ws[2].containerPorts == [ContainerPort(name: "pg", port: 5432)])
    }
}
