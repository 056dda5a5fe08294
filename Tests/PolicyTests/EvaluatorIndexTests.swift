import FlowModel
import Testing
@testable import Policy

/// The evaluator answers a workload pair by visiting the rules that name its other end (`ingressNaming`,
/// `egressNaming`) plus the wide rules, instead of every rule of an end with many (issue 22). These tests compare
/// that path with the plain definition (A6, A7, B1): the union of what every matching rule of each side allows,
/// read through `ruleMatches`, which visits every rule.
@Suite struct EvaluatorIndexTests {
    /// 100 workloads in `a`, 10 in `b`. `a/w0` is a resolver with one ingress rule per other workload (listed
    /// rules) plus a rule for the 80 `tier: x` pods (more than a list holds: a bitset, so a wide rule), a
    /// namespaceSelector rule and an every-peer rule; `b/c0` has one egress rule per workload of `a`, some by
    /// named port, plus a wide one.
    static func evaluator() -> PolicyEvaluator {
        var workloads: [Workload] = []
        for i in 0..<100 {
            workloads.append(Workload(endpoint: .workload("a", "w\(i)", kind: "Deployment"),
                                      labels: ["app": "w\(i)", "tier": i % 5 == 0 ? "y" : "x"],
                                      containerPorts: [ContainerPort(name: "http", port: UInt16(8000 + i % 5))]))
        }
        for i in 0..<10 {
            workloads.append(Workload(endpoint: .workload("b", "c\(i)", kind: "Deployment"), labels: ["app": "c\(i)"]))
        }
        func pods(_ l: [String: String], ns: String? = nil) -> NetworkPolicyPeer {
            .pods(podSelector: LabelSelector(matchLabels: l),
                  namespaceSelector: ns.map { LabelSelector(matchLabels: ["kubernetes.io/metadata.name": $0]) })
        }
        var ingress: [NetworkPolicyRule] = (1..<100).map { i in
            NetworkPolicyRule(peers: [pods(["app": "w\(i)"])], ports: [NetworkPolicyPort(port: .number(1000 + i % 7))])
        }
        ingress.append(NetworkPolicyRule(peers: [pods(["tier": "x"])], ports: [NetworkPolicyPort(proto: .udp, port: .number(53))]))
        ingress.append(NetworkPolicyRule(peers: [.pods(podSelector: nil, namespaceSelector: LabelSelector(
            matchLabels: ["kubernetes.io/metadata.name": "b"]))], ports: [NetworkPolicyPort(port: .number(53))]))
        ingress.append(NetworkPolicyRule(peers: [], ports: [NetworkPolicyPort(port: .number(9999))]))
        var egress: [NetworkPolicyRule] = (0..<100).map { i in
            NetworkPolicyRule(peers: [pods(["app": "w\(i)"], ns: "a")],
                              ports: [NetworkPolicyPort(port: i % 2 == 0 ? .name("http") : .number(2000 + i))])
        }
        egress.append(NetworkPolicyRule(peers: [pods(["tier": "x"], ns: "a")], ports: [NetworkPolicyPort(port: .number(443))]))
        let policies = [
            NetworkPolicy(name: "resolver", namespace: "a", podSelector: LabelSelector(matchLabels: ["app": "w0"]),
                          policyTypes: [.ingress], ingress: ingress),
            NetworkPolicy(name: "client", namespace: "b", podSelector: LabelSelector(matchLabels: ["app": "c0"]),
                          policyTypes: [.egress], egress: egress),
            // Every pod of `a` isolated for ingress with one listed rule each way round, so most pairs are indexed.
            NetworkPolicy(name: "peers", namespace: "a", podSelector: .everything, policyTypes: [.ingress, .egress],
                          ingress: [NetworkPolicyRule(peers: [pods(["app": "c0"], ns: "b")])],
                          egress: [NetworkPolicyRule(peers: [pods(["app": "w0"])], ports: [NetworkPolicyPort(port: .name("http"))])]),
        ]
        return PolicyEvaluator(policies: policies, namespaces: [ClusterNamespace(name: "a"), ClusterNamespace(name: "b")],
                               workloads: workloads)
    }

    static func reference(_ ev: PolicyEvaluator, _ s: Int, _ d: Int) -> (ConnectionSet, ConnectionSet) {
        func side(_ w: Int, egress: Bool, _ peer: Int) -> ConnectionSet {
            guard egress ? ev.isEgressIsolated(w) : ev.isIngressIsolated(w) else { return .all }
            return ev.ruleMatches(of: w, egress: egress, peer: .workload(peer)).filter(\.peerMatches)
                .reduce(ConnectionSet.none) { $0.union($1.connections) }
        }
        return (side(s, egress: true, d), side(d, egress: false, s))
    }

    @Test("pair answers through the naming index equal the union of every matching rule, both directions")
    func indexedEqualsEveryRule() {
        let ev = Self.evaluator()
        // The resolver and the client have more rules than any peer's naming list: the indexed path is taken.
        let w0 = ev.indexes(of: .workload("a", "w0", kind: "Deployment"))[0]
        let c0 = ev.indexes(of: .workload("b", "c0", kind: "Deployment"))[0]
        #expect(ev.ingressRules[w0].count > 100 && ev.egressRules[c0].count > 100)
        #expect(ev.ingressWide[w0].count == 2 && ev.egressWide[c0].count == 1)
        var checked = 0, nonEmpty = 0
        for s in ev.workloads.indices {
            for d in ev.workloads.indices where s != d {
                let (e, i) = Self.reference(ev, s, d)
                let got = ev.sides(from: .workload(s), to: .workload(d))
                #expect(got.egress == e && got.ingress == i, "\(ev.workloads[s].endpoint) -> \(ev.workloads[d].endpoint)")
                #expect(ev.connections(s, d) == e.intersection(i))
                checked += 1
                if !e.intersection(i).isEmpty { nonEmpty += 1 }
            }
        }
        #expect(checked == 110 * 109)
        #expect(nonEmpty >= 150)  // 190 pairs allow something: the comparison is not vacuous
    }

    @Test("a rule's workloads are a list when few and a bitset when many; contains agrees with the members")
    func workloadSetRepresentation() {
        var few = Bitset(count: 5000)
        for i in stride(from: 3, to: 5000, by: 997) { few.insert(i) }
        let list = WorkloadSet(count: 5000, dense: few, extra: [4999, 3, 3])
        #expect(list.isList && list.members == [3, 1000, 1997, 2994, 3991, 4988, 4999])
        #expect((0..<5000).filter(list.contains) == [3, 1000, 1997, 2994, 3991, 4988, 4999])
        let many = WorkloadSet(count: 5000, dense: nil, extra: (0..<1000).map { Int32($0 * 5) })
        #expect(!many.isList && (0..<5000).filter(many.contains) == (0..<1000).map { $0 * 5 })
        var b = Bitset(count: 5000)
        many.union(into: &b)
        list.union(into: &b)
        #expect(b.members == Set((0..<1000).map { $0 * 5 } + [3, 1000, 1997, 2994, 3991, 4988, 4999]).sorted())
    }
}
