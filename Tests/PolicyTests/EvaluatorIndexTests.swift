import FlowModel
import Testing
import TestSupport
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

    /// A random selector over the test cluster's label alphabet: matchLabels and every operator (D1-D3).
    static func randomSelector(_ r: inout SplitMix64, keys: [String], values: [String]) -> LabelSelector {
        var s = LabelSelector()
        for _ in 0..<r.int(below: 3) { s.matchLabels[keys[r.int(below: keys.count)]] = values[r.int(below: values.count)] }
        let ops = LabelSelectorRequirement.Operator.allCases
        for _ in 0..<r.int(below: 3) {
            let op = ops[r.int(below: ops.count)]
            let vals = op == .in || op == .notIn ? (0...r.int(below: 3)).map { _ in values[r.int(below: values.count)] } : []
            s.matchExpressions.append(LabelSelectorRequirement(key: keys[r.int(below: keys.count)], op: op, values: vals))
        }
        return s
    }

    @Test("selectors through the label index, and rule peers and policy targets from lists or bitsets, equal the definitions")
    func selectorIndexEqualsDefinition() {
        var r = SplitMix64(seed: 22)
        let keys = ["app", "tier", "env", "k"], values = ["a", "b", "c", "d", "e"]
        // Namespaces of very different sizes around the list limit (max(64, n/32) = 64 here): both branches of
        // every peer (members from the selector's list, from the namespaces' lists, or a bitset) are taken.
        let sizes = [100, 70, 30, 8, 2]
        var workloads: [Workload] = []
        for (n, size) in sizes.enumerated() {
            for i in 0..<size {
                var labels: [String: String] = [:]
                for k in keys where r.int(below: 4) != 0 { labels[k] = values[r.int(below: k == "k" ? 5 : 2)] }
                if r.int(below: 3) == 0 { labels["id"] = "w\(n)-\(i)" }
                var w = Workload(endpoint: .workload("ns\(n)", "w\(i)", kind: "Deployment"), labels: labels)
                w.hostNetwork = i % 17 == 5
                workloads.append(w)
            }
        }
        let namespaces = sizes.indices.map { ClusterNamespace(name: "ns\($0)", labels: ["team": values[$0 % 2], "env": values[$0 % 3]]) }
        func nsLabels(_ name: String) -> [String: String] { namespaces.first { $0.name == name }!.labels }
        var policies: [NetworkPolicy] = []
        for i in 0..<40 {
            func peer() -> NetworkPolicyPeer {
                let ps: LabelSelector? = r.int(below: 4) == 0 ? nil
                    : (r.int(below: 3) == 0 ? LabelSelector(matchLabels: ["id": "w0-\(r.int(below: 100))"])
                                            : Self.randomSelector(&r, keys: keys, values: values))
                let ns: LabelSelector? = r.int(below: 2) == 0 ? nil
                    : (r.int(below: 4) == 0 ? .everything : Self.randomSelector(&r, keys: ["team", "env"], values: values))
                return .pods(podSelector: ps ?? (ns == nil ? .everything : nil), namespaceSelector: ns)
            }
            func rule() -> NetworkPolicyRule {
                var peers = (0...r.int(below: 2)).map { _ in peer() }
                // Address peers: only these and every-peer rules can match an address (`ingressAddressable`).
                if r.int(below: 3) == 0 {
                    let cidr = ["10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "192.168.0.0/16"][r.int(below: 4)]
                    peers.append(.ipBlock(IPBlock(cidr: CIDR(cidr)!, except: r.int(below: 2) == 0 ? [CIDR("10.1.2.0/24")!] : [])))
                }
                if r.int(below: 10) == 0 { peers = [] }
                return NetworkPolicyRule(peers: peers, ports: [NetworkPolicyPort(port: .number(80 + i))])
            }
            policies.append(NetworkPolicy(
                name: "p\(i)", namespace: "ns\(r.int(below: sizes.count))",
                podSelector: r.int(below: 5) == 0 ? .everything : Self.randomSelector(&r, keys: keys, values: values),
                policyTypes: [.ingress, .egress], ingress: (0..<r.int(below: 3)).map { _ in rule() },
                egress: (0..<r.int(below: 3)).map { _ in rule() }))
        }
        var options = EvaluatorOptions.default
        options.hostNetwork = .asNode
        let ev = PolicyEvaluator(policies: policies, namespaces: namespaces, workloads: workloads, options: options)
        let selectable = workloads.map { !$0.hostNetwork }

        // The index alone: every selector's answer is `matches` over the selectable workloads.
        var sel = Bitset(count: workloads.count)
        for (i, s) in selectable.enumerated() where s { sel.insert(i) }
        let index = LabelIndex(labels: workloads.map(\.labels), selectable: sel)
        for _ in 0..<500 {
            let s = Self.randomSelector(&r, keys: keys + ["id"], values: values + ["w0-3", "w1-7"])
            let want = workloads.indices.filter { selectable[$0] && s.matches(workloads[$0].labels) }
            #expect(index.selectList(s).map { Int($0) } == want, "\(s)")
            #expect(index.select(s).members == want, "\(s)")
        }

        // Policy targets (A3) and every rule's peers (C1-C3) against their definitions.
        var listed = 0, dense = 0, checked = 0
        var wrong: [String] = []
        for w in workloads.indices {
            for isEgress in [false, true] {
                let want = policies.indices.filter { pi in
                    let p = policies[pi]
                    return selectable[w] && p.namespace == workloads[w].namespace && p.affects(isEgress ? .egress : .ingress)
                        && p.podSelector.matches(workloads[w].labels)
                }
                #expect((isEgress ? ev.egressPolicies[w] : ev.ingressPolicies[w]) == want, "\(workloads[w].endpoint)")
            }
        }
        for rule in ev.rules where !rule.matchesAll {
            if rule.workloads.isList { listed += 1 } else { dense += 1 }
        }
        for w in workloads.indices {
            for isEgress in [false, true] {
                for j in workloads.indices {
                    for m in ev.ruleMatches(of: w, egress: isEgress, peer: .workload(j)) {
                        let p = policies[m.policy]
                        let spec = (isEgress ? p.egress : p.ingress)[m.rule]
                        let want = spec.peers.isEmpty || spec.peers.contains { peer in
                            guard case .pods(let ps, let ns) = peer, selectable[j] else { return false }
                            let inNs = ns.map { $0.matches(nsLabels(workloads[j].namespace)) } ?? (workloads[j].namespace == p.namespace)
                            return inNs && (ps?.matches(workloads[j].labels) ?? true)
                        }
                        checked += 1
                        if m.peerMatches != want { wrong.append("\(p.name) rule \(m.rule) peer \(workloads[j].endpoint)") }
                    }
                }
            }
        }
        // Peers that are not workloads visit only the rules that can match them; the answer is every rule's.
        let addresses: [EvalPeer] = ["10.1.2.3", "10.1.9.9", "10.200.0.1", "192.168.1.1", "8.8.8.8"]
            .map { .address(IPAddr($0)!) } + [.unknownAddress, .range(IPRange(first: IPAddr("10.1.2.0")!, last: IPAddr("10.1.2.255")!))]
        var addressChecks = 0
        for w in workloads.indices {
            for a in addresses {
                for isEgress in [false, true] {
                    let isolated = isEgress ? ev.isEgressIsolated(w) : ev.isIngressIsolated(w)
                    let want = !isolated ? ConnectionSet.all : ev.ruleMatches(of: w, egress: isEgress, peer: a)
                        .filter(\.peerMatches).reduce(ConnectionSet.none) { $0.union($1.connections) }
                    let got = isEgress ? ev.sides(from: .workload(w), to: a).egress : ev.sides(from: a, to: .workload(w)).ingress
                    if got != want { wrong.append("\(workloads[w].endpoint) \(isEgress ? "to" : "from") \(a)") }
                    if isolated && !want.isEmpty { addressChecks += 1 }
                }
            }
        }
        #expect(addressChecks >= 100, "\(addressChecks) non-empty address answers")
        #expect(wrong.isEmpty, "\(wrong.count) wrong, first: \(wrong.prefix(5))")
        #expect(checked > 50_000 && listed >= 10 && dense >= 5, "checked \(checked), listed \(listed), dense \(dense)")
    }
}
