import FlowModel
@testable import Policy
import Testing

/// T10: `nodes` peers (egress only) select node addresses by the labels of the store's Node objects: a flow to
/// an address of a node whose labels match, or from a pod to its own node; a node without known labels matches
/// no peer, and the verbs warn about it.
@Suite struct AdminNodesTests {
    static let anp = AdminTierRuleTests.anp("nodes", priority: 1, """
        \(AdminTierRuleTests.prodSubject)
        egress:
        - {name: deny-gpu, action: Deny, to: [{nodes: {matchLabels: {pool: gpu}}}]}
        - {name: kubelet, action: Allow, to: [{nodes: {}}], ports: [{portNumber: {protocol: TCP, port: 10250}}]}
        """)
    static let banp = AdminTierRuleTests.banp("""
        \(AdminTierRuleTests.prodSubject)
        egress:
        - {name: deny-rest, action: Deny, to: [{networks: [0.0.0.0/0]}]}
        """)
    /// n1 (prod/web runs there) is a GPU node, n2 a general one; n3 is known only by address.
    static let nodes = [
        ClusterNode(name: "n1", labels: ["pool": "gpu"], addresses: [IPAddr("10.9.0.1")!]),
        ClusterNode(name: "n2", labels: ["pool": "general"], addresses: [IPAddr("10.9.0.2")!]),
        ClusterNode(name: "n3", labels: nil, addresses: [IPAddr("10.9.0.3")!]),
    ]

    static let set = ManifestReader.parse(text: [Harness.cluster, anp, banp].joined(separator: "\n---\n"), file: "t.yaml")

    func evaluator(_ nodes: [ClusterNode]) -> PolicyEvaluator {
        #expect(Self.set.issues.isEmpty, "\(Self.set.issues)")
        return PolicyEvaluator(policies: Self.set.policies, adminPolicies: Self.set.adminPolicies,
                               namespaces: Array(Self.set.namespaces.values),
                               workloads: WorkloadBuilder.workloads(from: Self.set), nodes: nodes)
    }

    func index(_ ev: PolicyEvaluator, _ ns: String, _ name: String) -> Int {
        ev.workloads.firstIndex { $0.namespace == ns && $0.endpoint.name == name }!
    }

    @Test func nodeAddressesBySelector() {
        let ev = evaluator(Self.nodes)
        let web = index(ev, "prod", "web")
        func to(_ ip: String) -> String { ev.connections(from: .workload(web), to: .address(IPAddr(ip)!)).description }
        #expect(to("10.9.0.1") == "No Connections")  // GPU node: the first rule denies
        #expect(to("10.9.0.2") == "TCP 10250")  // another node: the Allow, the baseline denies the rest
        #expect(to("10.9.0.3") == "No Connections")  // labels unknown: no nodes peer matches, the baseline denies
        #expect(to("10.9.9.9") == "No Connections")  // not a node
        let one = IPRange(first: IPAddr("10.9.0.2")!, last: IPAddr("10.9.0.2")!)
        #expect(ev.connections(from: .workload(web), to: .range(one)).description == "TCP 10250")  // connectivity, diff
        #expect(ev.applicableBlocks(of: web, outbound: true).contains { $0.cidr.description == "10.9.0.2/32" })
        // Ingress from a node address: nodes peers are egress-only.
        #expect(ev.connections(from: .address(IPAddr("10.9.0.1")!), to: .workload(web)).description == "All Connections")
    }

    @Test func ownNodeByTheSubjectsNode() {
        let ev = evaluator(Self.nodes)
        let web = index(ev, "prod", "web"), db = index(ev, "prod", "db"), client = index(ev, "dev", "client")
        #expect(ev.connections(from: .workload(web), to: .ownNode).description == "No Connections")  // n1: GPU
        #expect(ev.sides(from: .workload(db), to: .ownNode).egress.description == "No Connections")  // also n1
        #expect(ev.connections(from: .workload(client), to: .ownNode).description == "All Connections")  // not a subject (B5)
        #expect(ev.tierDecisions(of: web, egress: true, peer: .ownNode, proto: .tcp, port: 10250)
                == ["AdminNetworkPolicy/nodes egress[0] (Admin tier, priority 1): Deny TCP 10250"])
        // Without node labels nothing matches: own-node traffic stays allowed (B5), node addresses reach the baseline.
        let bare = evaluator([])
        #expect(bare.connections(from: .workload(web), to: .ownNode).description == "All Connections")
        #expect(bare.connections(from: .workload(web), to: .address(IPAddr("10.9.0.2")!)).description == "No Connections")
    }

    @Test func unknownNodesAreWarned() {
        let none = Self.set.nodePeerWarnings([])
        #expect(none.count == 2)
        #expect(none.allSatisfy { $0.contains("AdminNetworkPolicy/nodes") && $0.contains("nodes peer: no node labels are known") })
        #expect(Self.set.nodePeerWarnings(Self.nodes).count == 1)
        #expect(Self.set.nodePeerWarnings(Self.nodes).first?.hasPrefix("node n3 (10.9.0.3): no Node object") == true)
        #expect(Self.set.nodePeerWarnings(Array(Self.nodes.prefix(2))).isEmpty)
        #expect(ManifestReader.parse(text: Harness.cluster, file: "c.yaml").nodePeerWarnings([]).isEmpty)
    }
}
