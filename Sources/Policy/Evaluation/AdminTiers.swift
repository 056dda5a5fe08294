import FlowModel

/// The cluster-wide tiers compiled for one workload set (docs/admin-network-policy-semantics.md, rule IDs T*):
/// per workload and direction, the admin-tier rules and the baseline-tier rules that apply to it, in evaluation
/// order, with their peers resolved to workload bits once.
final class AdminTiers: Sendable {
    struct Rule: Sendable {
        var action: AdminPolicy.Action
        var workloads: Bitset
        /// `networks` CIDRs (egress only), matched against external addresses.
        var blocks: [IPBlock]
        /// Numbered ports and ranges; `.all` when the rule has no ports (T6).
        var fixed: ConnectionSet
        /// Named ports, resolved against the destination pod's container ports (T7).
        var named: [String]
        /// `domainNames` (egress Allow only), matched against the names observed for an external address (T9).
        var domains: [String] = []
        /// `nodes` (egress only): the addresses, one host block each, and the names of the nodes whose labels the
        /// selectors match (T10).
        var nodeBlocks: [IPBlock] = []
        var nodeNames: Set<String> = []
        var policy: Int
        var index: Int
        /// The rule's direction (`index` is into the policy's egress rules, else its ingress rules).
        var egress = false

        /// `ownNode`: the node of the rule's subject, for `EvalPeer.ownNode` (empty when not known).
        func matches(_ peer: EvalPeer, names: [IPAddr: [String]], ownNode: String) -> Bool {
            if peer.isMatched(byWorkloads: workloads, blocks: blocks) { return true }
            if !nodeNames.isEmpty {
                switch peer {
                case .ownNode: if nodeNames.contains(ownNode) { return true }
                case .address(let ip): if nodeBlocks.contains(where: { $0.contains(ip) }) { return true }
                case .range(let r): if nodeBlocks.contains(where: { $0.contains(r) }) { return true }
                default: break
                }
            }
            guard !domains.isEmpty, case .address(let ip) = peer, let known = names[ip] else { return false }
            return known.contains { n in domains.contains { AdminPolicy.domain($0, matches: n) } }
        }

        /// What the rule covers towards a destination with these container ports (nil: not a pod).
        func connections(toPorts ports: [ContainerPort]?) -> ConnectionSet {
            guard !named.isEmpty, let ports else { return fixed }
            var c = fixed
            for n in named {
                for p in ports where p.name == n { c[p.proto] = c[p.proto].union(PortSet(Int(p.port)...Int(p.port))) }
            }
            return c
        }
    }

    /// What one tier decides for one direction of a connection (T3): the allowed and the denied connections;
    /// the rest (passed or matched by no rule) goes to the next tier.
    struct Decision: Sendable {
        var allow = ConnectionSet.none
        var deny = ConnectionSet.none
        var undecided: ConnectionSet { ConnectionSet.all.subtracting(allow).subtracting(deny) }
    }

    let policies: [AdminPolicy]
    let rules: [Rule]
    /// DNS names observed for external addresses (the store's), for `domainNames` peers.
    let names: [IPAddr: [String]]
    /// Rule ids per workload: [direction: 0 ingress, 1 egress][tier: 0 admin, 1 baseline].
    let ids: [[[[Int32]]]]
    /// The node each workload runs on ("" when not known or several), for `EvalPeer.ownNode`.
    let nodeOf: [String]
    /// True when some rule's `nodes` peer matches a known node: only then can a tier decide own-node traffic.
    let matchesNodes: Bool

    init(policies: [AdminPolicy], namespaces: [String: ClusterNamespace], workloads: [Workload], selectable: Bitset,
         names: [IPAddr: [String]] = [:], nodes: [ClusterNode] = []) {
        self.policies = policies
        self.names = names
        nodeOf = workloads.map(\.nodeName)
        let n = workloads.count
        var unitsInNs: [String: Bitset] = [:]
        for i in selectable.members { unitsInNs[workloads[i].namespace, default: Bitset(count: n)].insert(i) }
        let index = LabelIndex(labels: workloads.map(\.labels), selectable: selectable)
        func select(_ s: AdminPolicy.Selection) -> Bitset {
            var b = Bitset(count: n)
            let (nsSel, podSel): (LabelSelector, LabelSelector?) = {
                switch s {
                case .namespaces(let ns): return (ns, nil)
                case .pods(let ns, let ps): return (ns, ps)
                }
            }()
            for (name, ns) in namespaces where nsSel.matches(ns.labels) {  // T4: namespace labels
                if let u = unitsInNs[name] { b.formUnion(u) }
            }
            if let podSel { b = b.intersection(index.select(podSel)) }
            return b
        }
        var rules: [Rule] = []
        var ids = [[[[Int32]]]](repeating: [[[], []], [[], []]], count: n)
        // T1, T2: admin tier by priority, baseline tier after NetworkPolicies; rules in written order (T3).
        let order = policies.indices.sorted { AdminPolicy.precedes(policies[$0], policies[$1]) }
        for pi in order {
            let p = policies[pi]
            let subjects = select(p.subject).members
            if subjects.isEmpty { continue }
            let tier = p.tier == .admin ? 0 : 1
            for (direction, list) in [(0, p.ingress), (1, p.egress)] {
                for (ri, r) in list.enumerated() {
                    var c = Rule(action: r.action, workloads: Bitset(count: n), blocks: [], fixed: .none, named: [],
                                 policy: pi, index: ri, egress: direction == 1)
                    for peer in r.peers {  // T5: peers ORed
                        switch peer {
                        case .selection(let s): c.workloads.formUnion(select(s))
                        case .networks(let cidrs):
                            for cidr in cidrs {
                                let b = IPBlock(cidr: cidr)
                                c.blocks.append(b)
                                // T8: networks also select cluster pods by IP.
                                for i in selectable.members where !workloads[i].ips.isEmpty
                                    && workloads[i].ips.allSatisfy({ b.contains($0) }) { c.workloads.insert(i) }
                            }
                        case .domainNames(let d): c.domains += d  // T9: by the names the store observed
                        case .nodes(let sel):  // T10: node addresses by node labels; unknown labels match nothing
                            for node in nodes {
                                guard let labels = node.labels, sel.matches(labels) else { continue }
                                c.nodeNames.insert(node.name)
                                c.nodeBlocks += node.addresses.compactMap { CIDR("\($0)/\($0.bits)").map { IPBlock(cidr: $0) } }
                            }
                        }
                    }
                    if let ports = r.ports {
                        for port in ports {
                            switch port {
                            case .number(let proto, let a): c.fixed[proto] = c.fixed[proto].union(PortSet(a...a))
                            case .range(let proto, let r): c.fixed[proto] = c.fixed[proto].union(PortSet(r))
                            case .named(let s): c.named.append(s)
                            }
                        }
                    } else {
                        c.fixed = .all  // T6
                    }
                    let id = Int32(rules.count)
                    rules.append(c)
                    for s in subjects { ids[s][direction][tier].append(id) }
                }
            }
        }
        self.rules = rules
        self.ids = ids
        matchesNodes = rules.contains { !$0.nodeNames.isEmpty }
    }

    /// First matching rule wins per connection (T3): walks the tier's rules for workload `w` in order.
    func decide(_ w: Int, egress: Bool, tier: Int, peer: EvalPeer, destinationPorts: [ContainerPort]?) -> Decision {
        var d = Decision()
        var rest = ConnectionSet.all
        for id in ids[w][egress ? 1 : 0][tier] {
            let r = rules[Int(id)]
            guard r.matches(peer, names: names, ownNode: nodeOf[w]) else { continue }
            let c = r.connections(toPorts: destinationPorts).intersection(rest)
            if c.isEmpty { continue }
            switch r.action {
            case .allow: d.allow.formUnion(c)
            case .deny: d.deny.formUnion(c)
            case .pass: break
            }
            rest = rest.subtracting(c)
            if rest.isEmpty { break }
        }
        return d
    }

    /// One direction of a connection for workload `w` (T1, T2): admin allows and denies first; the rest is what
    /// NetworkPolicies allow when they isolate `w` in this direction (`networkPolicy` non-nil), else what the
    /// baseline tier does not deny.
    func direction(_ w: Int, egress: Bool, peer: EvalPeer, destinationPorts: [ContainerPort]?,
                   networkPolicy: ConnectionSet?) -> ConnectionSet {
        let admin = decide(w, egress: egress, tier: 0, peer: peer, destinationPorts: destinationPorts)
        let undecided = admin.undecided
        if undecided.isEmpty { return admin.allow }
        let lower = networkPolicy
            ?? ConnectionSet.all.subtracting(decide(w, egress: egress, tier: 1, peer: peer,
                                                    destinationPorts: destinationPorts).deny)
        return admin.allow.union(undecided.intersection(lower))
    }

    /// For `explain`: per tier (admin, then baseline where no NetworkPolicy isolates), the rule that decides
    /// one port of one direction, as `Kind/name ingress[2] (Admin tier, priority 10): Deny`; a tier with no
    /// matching rule is left out.
    func deciding(_ w: Int, egress: Bool, peer: EvalPeer, destinationPorts: [ContainerPort]?, proto: Proto,
                  port: Int, networkPolicyIsolates: Bool) -> [String] {
        var out: [String] = []
        for tier in [0, 1] {
            if tier == 1 && networkPolicyIsolates { break }
            guard let id = ids[w][egress ? 1 : 0][tier].first(where: {
                rules[Int($0)].matches(peer, names: names, ownNode: nodeOf[w]) && rules[Int($0)].connections(toPorts: destinationPorts).contains(proto, port)
            }) else { continue }
            let r = rules[Int(id)]
            let p = policies[r.policy]
            let at = p.kind == .baselineAdminNetworkPolicy ? "" : ", priority \(p.priority)"
            let action = r.action == .pass ? "Pass (to the next tier)" : r.action == .allow ? "Allow" : "Deny"
            out.append("\(p.qualifiedName) \(egress ? "egress" : "ingress")[\(r.index)] (\(p.tier.rawValue) tier\(at)): "
                       + "\(action) \(proto.rawValue) \(port)")
            if r.action != .pass { break }
        }
        return out
    }

    /// The `networks` blocks and matched node addresses of the rules applying to workload `w` in one direction
    /// (answers towards addresses change only at their boundaries).
    func blocks(of w: Int, egress: Bool) -> [IPBlock] {
        ids[w][egress ? 1 : 0].flatMap { $0 }.flatMap { rules[Int($0)].blocks + rules[Int($0)].nodeBlocks }
    }

    var allBlocks: [IPBlock] { rules.flatMap { $0.blocks + $0.nodeBlocks } }
}
