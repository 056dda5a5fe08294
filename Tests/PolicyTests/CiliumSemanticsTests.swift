import FlowModel
import Testing
@testable import Policy

/// One test per rule of docs/cilium-semantics.md (IDs in the names).
@Suite struct CiliumSemanticsTests {
    // MARK: Policies and rules

    @Test func cp1SpecAndSpecsAreBothRules() {
        let h = CiliumHarness("""
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: p, namespace: prod}
            spec:
              endpointSelector: {matchLabels: {app: db}}
              ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]
            specs:
            - endpointSelector: {matchLabels: {app: web}}
              ingress: [{}]
            """)
        #expect(h.ev.policies[0].rules.count == 2)
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
        #expect(h.conn("prod/db", "prod/web") == "No Connections")
    }

    @Test func cp2NodeSelectorPoliciesNeedTheHostFirewall() {
        let policy = ccnp("nodeSelector: {}\ningress: [{}]")
        #expect(CiliumHarness(policy).conn("prod/web", "host") == "All Connections")
        let fw = CiliumHarness(policy, options: CiliumOptions(hostFirewall: true))
        #expect(fw.conn("prod/web", "host") == "No Connections")
        #expect(fw.conn("prod/web", "prod/db") == "All Connections")  // pods are not selected
    }

    @Test func ch1HostNetworkPodsCarryTheirNodesIdentity() {
        let agent = Workload(endpoint: .workload("obs", "agent", kind: "DaemonSet"), labels: ["app": "agent"],
                             hostNetwork: true, nodeName: "n1")
        let web = Workload(endpoint: .workload("prod", "web", kind: "Deployment"), labels: ["app": "web"], nodeName: "n1")
        let db = Workload(endpoint: .workload("prod", "db", kind: "Deployment"), labels: ["app": "db"], nodeName: "n2")
        let set = ManifestReader.parse(text: cnp("prod", """
            endpointSelector: {}
            ingress:
            - fromEntities: [remote-node]
              toPorts: [{ports: [{port: "9100"}]}]
            - fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": obs}}]
            egress:
            - toEntities: [host]
              toPorts: [{ports: [{port: "8080"}]}]
            """) + "\n---\n" + cnp("obs", "endpointSelector: {}\ningress: [{}]\negress: [{}]", name: "deny"),
            file: "t.yaml")
        #expect(set.issues.isEmpty)
        let ev = CiliumEvaluator(policies: set.ciliumPolicies, workloads: [agent, web, db])
        // Another node: remote-node, never the endpoint selector naming its namespace; its own deny-all never applies.
        let toDB = ev.connections(from: CiliumPeer.workload(0), to: .workload(2))
        #expect(toDB.contains(.tcp, 9100) && !toDB.contains(.tcp, 80))
        // Its own node: host, which allow-localhost admits (CE5).
        #expect(ev.connections(from: CiliumPeer.workload(0), to: .workload(1)) == .all)
        // Egress to it: host on its own node (web), remote-node from another (db, nothing allowed).
        let fromWeb = ev.connections(from: CiliumPeer.workload(1), to: .workload(0))
        #expect(fromWeb.contains(.tcp, 8080) && !fromWeb.contains(.tcp, 9100))
        #expect(ev.connections(from: CiliumPeer.workload(2), to: .workload(0)).isEmpty)
        // Read as a pod, its own namespace's deny-all would have applied.
        var asPod = agent
        asPod.hostNetwork = false
        let pods = CiliumEvaluator(policies: set.ciliumPolicies, workloads: [asPod, web, db])
        #expect(pods.connections(from: CiliumPeer.workload(0), to: .workload(2)) == .none)
    }

    @Test func cp4RuleWithoutEntriesIsRejected() {
        let set = ManifestReader.parse(text: cnp("prod", "endpointSelector: {}\ningress: []"), file: "bad.yaml")
        #expect(set.ciliumPolicies.isEmpty)
        #expect(set.issues.count == 1)
        #expect(set.issues.first?.description.hasPrefix("bad.yaml:5: document 0: CiliumNetworkPolicy prod/p: spec: ") == true)
        #expect(set.issues.first?.message.contains("ingress: [{}]") == true)
    }

    @Test func cp5UnsupportedFieldsAreIssuesNamingThem() {
        let set = ManifestReader.parse(text: cnp("prod", """
            endpointSelector: {}
            ingress:
            - fromRequires: [{matchLabels: {env: prod}}]
            - fromEndpoints: [{matchLabels: {"io.cilium.k8s.policy.serviceaccount": sa}}]
            egress:
            - toPorts: [{ports: [{port: "9092"}], rules: {kafka: [{topic: t}]}}]
            """), file: "bad.yaml")
        #expect(set.ciliumPolicies.isEmpty)
        let paths = set.issues.map(\.path).sorted()
        #expect(paths == ["spec.egress[0].toPorts[0].rules.kafka", "spec.ingress[0].fromRequires",
                          "spec.ingress[1].fromEndpoints[0].matchLabels"])
    }

    @Test func cp6InvalidFieldsAreLocated() {
        let set = ManifestReader.parse(text: cnp("prod", """
            endpointSelector: {}
            egress:
            - toEntities: [wrld]
              toPorts: [{ports: [{port: "80", protocol: TCPX}], rules: {http: [{path: "/a(("}]}}]
            """), file: "bad.yaml")
        #expect(set.ciliumPolicies.isEmpty)
        #expect(set.issues.map(\.path).sorted() == ["spec.egress[0].toEntities[0]", "spec.egress[0].toPorts[0].ports[0].protocol",
                                                      "spec.egress[0].toPorts[0].rules.http[0].path"])
    }

    // MARK: Selectors

    @Test func cs1SourcedKeysMatchOnlyThatSource() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {"k8s:app": db}}
            ingress: [{fromEndpoints: [{matchLabels: {"reserved:app": web}}]}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
    }

    @Test func cs2KeysWithoutSourceMatchAnySource() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress: [{fromEndpoints: [{matchLabels: {"any:app": web}}, {matchExpressions: [{key: tier, operator: Exists}]}]}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
    }

    @Test func cs3NamespaceLabelSelectsAcrossNamespaces() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress: [{fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": dev, app: client}}]}]
            """))
        #expect(h.conn("dev/client", "prod/db") == "All Connections")
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
    }

    @Test func cs4NamespaceLabelsSelectNamespacesByLabel() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress: [{fromEndpoints: [{matchLabels: {"io.cilium.k8s.namespace.labels.env": dev}}]}]
            """))
        #expect(h.conn("dev/client", "prod/db") == "All Connections")
        #expect(h.conn("dev/bare", "prod/db") == "All Connections")
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
    }

    @Test func cs5NamespacedEndpointSelectorStaysInItsNamespace() {
        let h = CiliumHarness(cnp("prod", "endpointSelector: {matchLabels: {app: web}}\ningress: [{}]"))
        #expect(h.conn("dev/client", "prod/web") == "No Connections")
        #expect(h.conn("prod/db", "dev/web") == "All Connections")
    }

    @Test func cs6PeersDefaultToThePolicyNamespace() {
        let h = CiliumHarness(cnp("prod", "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{}]}]"))
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
        #expect(h.conn("dev/client", "prod/db") == "No Connections")
        #expect(h.conn("host", "prod/db") == "All Connections")  // CE5, not the selector
        #expect(h.conn("1.2.3.4", "prod/db") == "No Connections")
    }

    @Test func cs7ClusterwidePeersAreAnyPod() {
        let h = CiliumHarness(ccnp("endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{}]}]"))
        #expect(h.conn("dev/client", "prod/db") == "All Connections")
        #expect(h.conn("remote-node", "prod/db") == "No Connections")
        #expect(h.conn("1.2.3.4", "prod/db") == "No Connections")
    }

    @Test func cs8ReservedSelectorsAreNotNamespaced() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress: [{fromEndpoints: [{matchLabels: {"reserved:remote-node": ""}}]}]
            """))
        #expect(h.conn("remote-node", "prod/db") == "All Connections")
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
    }

    @Test func cs9ExpressionsNotInAndDoesNotExist() {
        let h = CiliumHarness(ccnp("""
            endpointSelector: {matchExpressions: [{key: app, operator: NotIn, values: [db]}, {key: tier, operator: DoesNotExist}]}
            ingress: [{}]
            """))
        #expect(h.conn("prod/db", "dev/client") == "No Connections")
        #expect(h.conn("prod/db", "dev/bare") == "No Connections")
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
        #expect(h.conn("dev/client", "prod/web") == "All Connections")
    }

    // MARK: Rules and ports

    @Test func cr1EmptyRuleAllowsNothing() {
        let h = CiliumHarness(cnp("prod", "endpointSelector: {}\negress: [{}]"))
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
        #expect(h.conn("prod/web", "world") == "No Connections")
        #expect(h.conn("dev/client", "prod/web") == "All Connections")
    }

    @Test func cr2PortsWithoutPeersAllowEveryPeer() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toPorts: [{ports: [{port: "443", protocol: TCP}]}]}]
            """))
        #expect(h.conn("prod/web", "1.2.3.4") == "TCP 443")
        #expect(h.conn("prod/web", "dev/client") == "TCP 443")
        #expect(h.conn("prod/web", "host") == "TCP 443")
    }

    @Test func cr3ExplicitEmptyListSelectsNothing() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toEndpoints: [], toPorts: [{ports: [{port: "443", protocol: TCP}]}]}]
            """))
        #expect(h.conn("prod/web", "1.2.3.4") == "No Connections")
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
    }

    @Test func cr4PortZeroIsEveryPort() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toEntities: [world], toPorts: [{ports: [{port: "0", protocol: UDP}]}]}]
            """))
        #expect(h.conn("prod/web", "8.8.8.8") == "UDP 1-65535")
    }

    @Test func cr5ProtocolDefaultsToAnyWithoutSCTP() {
        let p = cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toEntities: [world], toPorts: [{ports: [{port: "53"}]}]}, {toEntities: [world], toPorts: [{ports: [{port: "9", protocol: SCTP}]}]}]
            """)
        #expect(CiliumHarness(p).conn("prod/web", "8.8.8.8") == "TCP 53,UDP 53")
        #expect(CiliumHarness(p, options: CiliumOptions(sctp: true)).conn("prod/web", "8.8.8.8") == "TCP 53,UDP 53,SCTP 9,53")
    }

    @Test func cr6NamedPortsResolveAtTheDestination() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toEndpoints: [{}], toPorts: [{ports: [{port: pg, protocol: TCP}, {port: HTTP, protocol: TCP}]}]}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "TCP 5432,9000")
        #expect(h.conn("prod/web", "prod/web") == "All Connections")  // B6: a pod to itself
    }

    @Test func cr7EndPortIsARange() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress: [{fromEndpoints: [{}], toPorts: [{ports: [{port: "5000", endPort: 5010, protocol: TCP}]}]}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "TCP 5000-5010")
    }

    // MARK: Entities

    @Test func ce1EntitiesSelectReservedIdentities() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toEntities: [kube-apiserver, health, remote-node]}]
            """))
        #expect(h.conn("prod/web", "kube-apiserver") == "All Connections")
        #expect(h.conn("prod/web", "health") == "All Connections")
        #expect(h.conn("prod/web", "remote-node") == "All Connections")
        #expect(h.conn("prod/web", "host") == "No Connections")
        #expect(h.conn("prod/web", "prod/db") == "No Connections")
        #expect(h.conn("prod/web", "1.2.3.4") == "No Connections")
    }

    @Test func ce2ClusterAndAll() {
        let cluster = CiliumHarness(cnp("prod", "endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [cluster]}]"))
        #expect(cluster.conn("prod/web", "dev/client") == "All Connections")
        #expect(cluster.conn("prod/web", "host") == "All Connections")
        #expect(cluster.conn("prod/web", "kube-apiserver") == "All Connections")
        #expect(cluster.conn("prod/web", "1.2.3.4") == "No Connections")
        let all = CiliumHarness(cnp("prod", "endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [all]}]"))
        #expect(all.conn("prod/web", "1.2.3.4") == "All Connections")
        #expect(all.conn("prod/web", "dev/client") == "All Connections")
    }

    @Test func ce3WorldFamiliesDependOnDualStack() {
        let p = cnp("prod", "endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [world-ipv4]}]")
        #expect(CiliumHarness(p).conn("prod/web", "1.2.3.4") == "No Connections")
        let ds = CiliumHarness(p, options: CiliumOptions(dualStack: true))
        #expect(ds.conn("prod/web", "1.2.3.4") == "All Connections")
        #expect(ds.conn("prod/web", "2001:db8::1") == "No Connections")
        let world = CiliumHarness(cnp("prod", "endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [world]}]"),
                                  options: CiliumOptions(dualStack: true))
        #expect(world.conn("prod/web", "2001:db8::1") == "All Connections")
        #expect(world.conn("prod/web", "world") == "All Connections")
    }

    @Test func ce5OwnHostReachesItsPodsUnlessLocalhostIsPoliced() {
        let p = cnp("prod", "endpointSelector: {}\ningress: [{}]")
        #expect(CiliumHarness(p).conn("host", "prod/web") == "All Connections")
        #expect(CiliumHarness(p, options: CiliumOptions(allowLocalhost: false)).conn("host", "prod/web") == "No Connections")
        #expect(CiliumHarness(p).conn("remote-node", "prod/web") == "No Connections")
    }

    // MARK: CIDRs

    @Test func cc1CIDRMatchesExternalAddresses() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toCIDR: [10.9.0.0/16, 192.0.2.7]}]
            """))
        #expect(h.conn("prod/web", "10.9.1.1") == "All Connections")
        #expect(h.conn("prod/web", "192.0.2.7") == "All Connections")
        #expect(h.conn("prod/web", "192.0.2.8") == "No Connections")
    }

    @Test func cc2CIDRSetExcept() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.96.0.0/12]}]}]
            """))
        #expect(h.conn("prod/web", "10.1.1.1") == "All Connections")
        #expect(h.conn("prod/web", "10.97.0.1") == "No Connections")
    }

    @Test func cc3AllAddressesIsWorldButNotPodsOrHosts() {
        let h = CiliumHarness(cnp("prod", "endpointSelector: {matchLabels: {app: web}}\negress: [{toCIDR: [0.0.0.0/0]}]"))
        #expect(h.conn("prod/web", "world") == "All Connections")
        #expect(h.conn("prod/web", "dev/client") == "No Connections")  // CIDRs never select pods
        #expect(h.conn("prod/web", "host") == "No Connections")
        #expect(h.conn("prod/web", "remote-node") == "No Connections")
    }

    // MARK: FQDNs and services

    @Test func cf1MatchNameAgainstObservedNames() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toFQDNs: [{matchName: API.example.com.}], toPorts: [{ports: [{port: "443", protocol: TCP}]}]}]
            """), dnsNames: ["192.0.2.1": ["api.example.com"], "192.0.2.2": ["www.example.com"]])
        #expect(h.conn("prod/web", "192.0.2.1") == "TCP 443")
        #expect(h.conn("prod/web", "192.0.2.2") == "No Connections")
        #expect(h.conn("prod/web", "192.0.2.3") == "No Connections")  // CF4: no name observed
    }

    @Test func cf2MatchPatternStarStaysInOneLabel() {
        let sel = CiliumFQDNSelector(matchPattern: "*.example.com")
        #expect(sel.matches("api.example.com"))
        #expect(!sel.matches("a.b.example.com"))
        #expect(!sel.matches("example.com"))
        #expect(CiliumFQDNSelector(matchPattern: "*").matches("anything.at.all"))
        #expect(CiliumFQDNSelector(matchPattern: "api-*.example.com").matches("api-v2.example.com"))
    }

    @Test func cf3DoubleStarPrefixSpansLabels() {
        let sel = CiliumFQDNSelector(matchPattern: "**.example.com")
        #expect(sel.matches("a.b.example.com"))
        #expect(sel.matches("b.example.com"))
        #expect(!sel.matches("example.com"))
        let middle = CiliumFQDNSelector(matchPattern: "_sub.**.io")
        #expect(middle.matches("_sub.a.b.io"))
        #expect(!middle.matches("_sub.io"))
        #expect(!CiliumFQDNSelector(matchPattern: "a+b.io").matches("aab.io"))  // literal, not a regex
    }

    @Test func cv1ToServicesSelectsBackends() {
        let svc = [CiliumService(name: "db", namespace: "prod", labels: ["tier": "data"], selector: ["app": "db"]),
                   CiliumService(name: "ext", namespace: "prod", addresses: [IPAddr("192.0.2.9")!])]
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toServices: [{k8sService: {serviceName: db}}, {k8sService: {serviceName: ext}}]}]
            """), services: svc)
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
        #expect(h.conn("prod/web", "192.0.2.9") == "All Connections")
        #expect(h.conn("prod/web", "dev/web") == "No Connections")
        let bySelector = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress: [{toServices: [{k8sServiceSelector: {selector: {matchLabels: {tier: data}}}}]}]
            """), services: svc)
        #expect(bySelector.conn("prod/web", "prod/db") == "All Connections")
    }

    // MARK: L7

    @Test func cl1HTTPFieldsAreAnchoredRegexes() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: web}}]
              toPorts: [{ports: [{port: "9000", protocol: TCP}], rules: {http: [{method: GET, path: "/v1/.*"}]}}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "TCP 9000")
        #expect(h.request("prod/web", "prod/db", 9000, .http(method: "GET", path: "/v1/items")))
        #expect(!h.request("prod/web", "prod/db", 9000, .http(method: "GET", path: "/api/v1/items")))
        #expect(!h.request("prod/web", "prod/db", 9000, .http(method: "GETX", path: "/v1/items")))
        #expect(!h.request("prod/web", "prod/db", 9000, .http(method: "POST", path: "/v1/items")))
    }

    @Test func cl2HeaderRulesMatchNoObservedRequest() {
        #expect(!CiliumHTTPRule(method: "GET", hasHeaders: true).matches(method: "GET", path: "/"))
        #expect(CiliumHTTPRule(method: "GET").matches(method: "GET", path: "/anything"))
    }

    @Test func cl3AnL4OnlyGrantAdmitsEveryRequest() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: web}}]
              toPorts: [{ports: [{port: "9000", protocol: TCP}], rules: {http: [{method: GET}]}}]
            - fromEndpoints: [{matchLabels: {app: web}}]
              toPorts: [{ports: [{port: "9000", protocol: TCP}]}]
            """))
        #expect(h.request("prod/web", "prod/db", 9000, .http(method: "DELETE", path: "/x")))
    }

    @Test func cl4DNSRulesFilterQueries() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: web}}
            egress:
            - toEndpoints: [{matchLabels: {app: db}}]
              toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*.svc.cluster.local"}]}}]
            """))
        #expect(h.request("prod/web", "prod/db", 53, .dns(query: "db.prod.svc.cluster.local"), .udp) == false)
        #expect(h.request("prod/web", "prod/db", 53, .dns(query: "prod.svc.cluster.local"), .udp))
        #expect(!h.request("prod/web", "prod/db", 53, .dns(query: "evil.example.com"), .udp))
        #expect(!h.request("prod/web", "prod/db", 53, .http(method: "GET", path: "/"), .tcp))
    }

    // MARK: Default deny and deny rules

    @Test func cd1SelectedEndpointIsIsolatedOnlyInItsDirections() {
        let h = CiliumHarness(cnp("prod", "endpointSelector: {matchLabels: {app: db}}\ningress: [{fromEndpoints: [{matchLabels: {app: web}}]}]"))
        #expect(h.ev.isIngressIsolated(h.ev.workloads.firstIndex { $0.endpoint.name == "db" }!))
        #expect(h.conn("prod/db", "1.2.3.4") == "All Connections")
        #expect(h.conn("dev/client", "prod/db") == "No Connections")
    }

    @Test func cd2EnableDefaultDenyFalseDoesNotIsolate() {
        let p = cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            enableDefaultDeny: {ingress: false}
            ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]
            """)
        #expect(CiliumHarness(p).conn("dev/client", "prod/db") == "All Connections")
        #expect(CiliumHarness(p, options: CiliumOptions(nonDefaultDenyPolicies: false)).conn("dev/client", "prod/db")
                == "No Connections")
        // With another policy isolating the pod, the non-default-deny policy's allows still count.
        let both = CiliumHarness(p + "\n---\n" + cnp("prod", "endpointSelector: {matchLabels: {app: db}}\ningress: [{}]", name: "q"))
        #expect(both.conn("prod/web", "prod/db") == "All Connections")
        #expect(both.conn("dev/client", "prod/db") == "No Connections")
    }

    @Test func cd3DenyWins() {
        let h = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress: [{fromEntities: [all]}]
            ingressDeny: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: "5432", protocol: TCP}]}]}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "TCP 1-5431,5433-65535,UDP 1-65535,SCTP 1-65535")
        #expect(h.conn("dev/client", "prod/db") == "All Connections")
    }

    @Test func cd4DenyAloneIsolatesUnlessDisabled() {
        let p = cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingressDeny: [{fromEndpoints: [{matchLabels: {app: web}}]}]
            """)
        #expect(CiliumHarness(p).conn("dev/client", "prod/db") == "No Connections")
        let allow = CiliumHarness(cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            enableDefaultDeny: {ingress: false}
            ingressDeny: [{fromEndpoints: [{matchLabels: {app: web}}]}]
            """))
        #expect(allow.conn("dev/client", "prod/db") == "All Connections")
        #expect(allow.conn("prod/web", "prod/db") == "No Connections")
    }

    @Test func cd5EnforcementModes() {
        let empty = ""
        #expect(CiliumHarness(cnp("dev", "endpointSelector: {matchLabels: {app: none}}\ningress: [{}]") + empty,
                              options: CiliumOptions(enforcement: .always)).conn("prod/web", "prod/db") == "No Connections")
        #expect(CiliumHarness(cnp("prod", "endpointSelector: {}\ningress: [{}]"), options: CiliumOptions(enforcement: .never))
                    .conn("prod/web", "prod/db") == "All Connections")
    }

    // MARK: Mixed sets

    @Test func cm1NetworkPolicyAndCiliumAllowsAreAUnion() {
        let h = CiliumHarness(np("prod", """
            podSelector: {matchLabels: {app: db}}
            ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
            """) + "\n---\n" + cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            ingress: [{fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": dev}}], toPorts: [{ports: [{port: "9000", protocol: TCP}]}]}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "TCP 5432")
        #expect(h.conn("dev/client", "prod/db") == "TCP 9000")
    }

    @Test func cm1NetworkPolicyIsolationHoldsUnderCilium() {
        let h = CiliumHarness(np("prod", "podSelector: {}\npolicyTypes: [Egress]") + "\n---\n"
                              + cnp("prod", "endpointSelector: {matchLabels: {app: web}}\ningress: [{}]"))
        #expect(h.conn("prod/db", "1.2.3.4") == "No Connections")
        #expect(h.conn("dev/client", "prod/db") == "All Connections")
    }

    @Test func cm1CiliumDenyOverridesANetworkPolicyAllow() {
        let h = CiliumHarness(np("prod", "podSelector: {matchLabels: {app: db}}\ningress: [{}]") + "\n---\n" + cnp("prod", """
            endpointSelector: {matchLabels: {app: db}}
            enableDefaultDeny: {ingress: false}
            ingressDeny: [{fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": dev}}]}]
            """))
        #expect(h.conn("prod/web", "prod/db") == "All Connections")
        #expect(h.conn("dev/client", "prod/db") == "No Connections")
    }

    @Test func cm2NetworkPolicyIPBlocksDoNotSelectReservedIdentities() {
        let h = CiliumHarness(np("prod", "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Egress]\negress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"))
        #expect(h.conn("prod/web", "1.2.3.4") == "All Connections")
        #expect(h.conn("prod/web", "world") == "All Connections")
        #expect(h.conn("prod/web", "remote-node") == "No Connections")
        #expect(h.conn("prod/web", "kube-apiserver") == "No Connections")
    }
}
