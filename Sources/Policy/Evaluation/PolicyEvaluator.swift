import FlowModel

/// Exact NetworkPolicy evaluation over a fixed set of workloads (see docs/netpol-semantics.md; rule IDs in the
/// comments). Construction precomputes, per policy, the workloads it selects and, per rule, the workloads its
/// peers match; a pair query then only tests bits of the rules that apply to its two ends.
public struct PolicyEvaluator: Sendable {
    public let policies: [NetworkPolicy]
    /// AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy objects.
    public let adminPolicies: [AdminPolicy]
    public let workloads: [Workload]
    public let options: EvaluatorOptions
    /// Namespaces by name, with `kubernetes.io/metadata.name` (C9); includes every namespace a workload or
    /// policy mentions.
    public let namespaces: [String: ClusterNamespace]

    let rules: [CompiledRule]
    let ingressIsolated: [Bool]
    let egressIsolated: [Bool]
    /// Rule ids per workload, ascending (rules are numbered in policy order).
    let ingressRules: [[Int32]]
    let egressRules: [[Int32]]
    /// Per workload: the ingress (egress) rules whose peers name it in a short member list (`WorkloadSet`), so a
    /// workload-to-workload query visits the rules naming its other end instead of every rule of a destination
    /// with thousands (a resolver asked by every client). Rules matching many workloads or every peer are in
    /// `ingressWide`/`egressWide`: per workload, the positions in its `ingressRules`/`egressRules` of those rules.
    let ingressNaming: [[Int32]]
    let egressNaming: [[Int32]]
    let ingressWide: [[Int32]]
    let egressWide: [[Int32]]
    /// Per workload: the positions in its `ingressRules`/`egressRules` of the rules an address, a range or an
    /// unknown address can match (every-peer rules and rules with ipBlocks); a peer that is not a workload visits
    /// only these (an internet-facing service with a rule per client would otherwise be visited rule by rule
    /// for every external flow).
    let ingressAddressable: [[Int32]]
    let egressAddressable: [[Int32]]
    /// Policies selecting each workload, per direction they affect it in.
    public let ingressPolicies: [[Int]]
    public let egressPolicies: [[Int]]
    let indexByEndpoint: [Endpoint: [Int]]
    /// Flat per-workload facts for the pair loop (no Workload copies there).
    let isSinglePod: [Bool]
    let isHostNetwork: [Bool]
    let nodeIndex: [Int]
    let containerPorts: [[ContainerPort]]
    /// Per workload, what each of its ingress rules allows towards it (named ports resolved against it once).
    let ingressResolved: [[ConnectionSet]]
    /// Named-port rules resolved once per distinct container-port list (when that table is small): the rule's
    /// connections towards workload `d` are `namedResolved[namedSlot[rule] * portClassCount + portClass[d]]`.
    let portClass: [Int32]
    let namedSlot: [Int32]
    let namedResolved: [ConnectionSet]
    let portClassCount: Int
    let hasNamedRules: Bool
    /// The cluster-wide tiers around the NetworkPolicies (nil when there are none).
    let tiers: AdminTiers?

    /// With Cilium policies in the set, every answer comes from Cilium's semantics over the whole set
    /// (docs/cilium-semantics.md, CM1); nil for a NetworkPolicy-only set.
    public let cilium: CiliumBox?

    /// `ciliumPolicies`: the set's CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies; `dnsNames`: DNS
    /// names observed for external addresses (for `toFQDNs` and admin-tier `domainNames`).
    /// `nodes`: the inventory's nodes, whose labels admin-tier `nodes` peers select by. `services`: the
    /// inventory's Services, which Cilium `toServices` selects by (CV1).
    /// `adminPolicies`: the cluster-wide tiers. A set with both Cilium and admin-tier policies is refused by
    /// `PolicyInputs` before it gets here (their combination is not modelled yet).
    public init(policies: [NetworkPolicy], adminPolicies: [AdminPolicy] = [], namespaces: [ClusterNamespace] = [],
                workloads: [Workload], options: EvaluatorOptions = .default, ciliumPolicies: [CiliumPolicy] = [],
                dnsNames: [IPAddr: [String]] = [:], nodes: [ClusterNode] = [], services: [CiliumService] = []) {
        self.policies = policies
        self.adminPolicies = adminPolicies
        self.workloads = workloads
        self.options = options
        if ciliumPolicies.isEmpty {
            cilium = nil
        } else {
            var co = options.cilium
            co.selfAlwaysAllowed = options.selfAlwaysAllowed
            cilium = CiliumBox(CiliumEvaluator(policies: ciliumPolicies, networkPolicies: policies,
                                               namespaces: namespaces, workloads: workloads, options: co,
                                               dnsNames: dnsNames, services: services))
        }
        let n = workloads.count

        var nsMap: [String: ClusterNamespace] = [:]
        for ns in namespaces { nsMap[ns.name] = ClusterNamespace(name: ns.name, labels: ns.labels) }
        for w in workloads where nsMap[w.namespace] == nil { nsMap[w.namespace] = ClusterNamespace(name: w.namespace) }
        for p in policies where nsMap[p.namespace] == nil { nsMap[p.namespace] = ClusterNamespace(name: p.namespace) }
        self.namespaces = nsMap

        // G1: host-network pods treated as node traffic are invisible to selectors and never isolated.
        let asNode = options.hostNetwork == .asNode
        var selectable = Bitset.full(n)
        // Per namespace, its workloads as ascending lists: a policy's targets and its peers are found from the
        // shorter of the selector's matches and the namespace's workloads, and bitsets of every workload are only
        // built for selectors and namespace selectors matching many (a bitset per namespace or per distinct
        // selector grows with the square of the cluster).
        var unitListInNs: [String: [Int32]] = [:]
        // ClusterMesh (docs/topologies.md): a workload of another cluster is never a policy's subject here (its
        // own cluster's policies govern it); as a peer, pod and namespace selectors match it only when Cilium's
        // policy-default-local-cluster is off (Cilium 1.18 and older). `peerListInNs`: what peers may select
        // (the local units, plus the remote ones when they are selectable).
        let remoteAsPeers = !options.cilium.policyDefaultLocalCluster
        var peerListInNs: [String: [Int32]] = [:]
        // Namespace ids of the peers' namespaces, for per-workload tests against a namespace selector's matches.
        var nsIds: [String: Int] = [:]
        var nsNames: [String] = []
        var nsOf = [Int32](repeating: -1, count: n)
        var isUnit = [Bool](repeating: false, count: n)
        var isPeer = [Bool](repeating: false, count: n)
        for (i, w) in workloads.enumerated() {
            if asNode && w.hostNetwork { selectable.remove(i); continue }
            if w.endpoint.isRemote && !remoteAsPeers { selectable.remove(i); continue }
            if nsIds[w.namespace] == nil {
                nsIds[w.namespace] = nsNames.count
                nsNames.append(w.namespace)
            }
            nsOf[i] = Int32(nsIds[w.namespace]!)
            isPeer[i] = true
            peerListInNs[w.namespace, default: []].append(Int32(i))
            if w.endpoint.isRemote { continue }
            isUnit[i] = true
            unitListInNs[w.namespace, default: []].append(Int32(i))
        }
        let limit = WorkloadSet.listLimit(n)
        let index = LabelIndex(labels: workloads.map(\.labels), selectable: selectable)
        /// A pod selector's selectable matches, ascending, and as a bitset when many.
        struct Selected {
            var list: [Int32]
            var bits: Bitset?
            @inline(__always) func contains(_ i: Int32) -> Bool {
                if let bits { return bits.contains(Int(i)) }
                return WorkloadSet.sortedContains(list, i)
            }
        }
        var podSelCache: [LabelSelector: Selected] = [:]
        func selectPods(_ s: LabelSelector) -> Selected {
            if let b = podSelCache[s] { return b }
            let list = index.selectList(s)
            var bits: Bitset?
            if list.count > limit {
                var b = Bitset(count: n)
                for i in list { b.insert(Int(i)) }
                bits = b
            }
            let r = Selected(list: list, bits: bits)
            podSelCache[s] = r
            return r
        }
        /// A namespace selector's matches (C8: namespace labels only) as flags per namespace id, and how many
        /// peers those namespaces hold.
        var nsSelCache: [LabelSelector: (flags: [Bool], peers: Int)] = [:]
        func selectNamespaces(_ s: LabelSelector) -> (flags: [Bool], peers: Int) {
            if let b = nsSelCache[s] { return b }
            var flags = [Bool](repeating: false, count: nsNames.count)
            var peers = 0
            for (id, name) in nsNames.enumerated() where s.matches(nsMap[name]?.labels ?? [:]) {
                flags[id] = true
                peers += peerListInNs[name]?.count ?? 0
            }
            nsSelCache[s] = (flags, peers)
            return (flags, peers)
        }
        var nsListCache: [LabelSelector: [Int32]] = [:]
        func namespacePeerList(_ s: LabelSelector) -> [Int32] {
            if let l = nsListCache[s] { return l }
            let flags = selectNamespaces(s).flags
            var l: [Int32] = []
            for (id, name) in nsNames.enumerated() where flags[id] { l += peerListInNs[name] ?? [] }
            l.sort()
            nsListCache[s] = l
            return l
        }
        var nsBitsCache: [LabelSelector: Bitset] = [:]
        func namespacePeerBits(_ s: LabelSelector) -> Bitset {
            if let b = nsBitsCache[s] { return b }
            let flags = selectNamespaces(s).flags
            var b = Bitset(count: n)
            for i in 0..<n where isPeer[i] && flags[Int(nsOf[i])] { b.insert(i) }
            nsBitsCache[s] = b
            return b
        }
        var sameNsBitsCache: [String: Bitset] = [:]
        func sameNamespaceBits(_ ns: String) -> Bitset {
            if let b = sameNsBitsCache[ns] { return b }
            var b = Bitset(count: n)
            for i in peerListInNs[ns] ?? [] { b.insert(Int(i)) }
            sameNsBitsCache[ns] = b
            return b
        }
        // Workloads whose every IP an ipBlock holds (E3 option, or host-network pods as node traffic: E5).
        let ipMatchable: [Int] = workloads.indices.filter {
            !workloads[$0].ips.isEmpty && (options.ipBlockMatchesPodIPs || (asNode && workloads[$0].hostNetwork))
        }

        var rules: [CompiledRule] = []
        var ruleIsEgress: [Bool] = []
        var ingressIsolated = [Bool](repeating: false, count: n)
        var egressIsolated = [Bool](repeating: false, count: n)
        var ingressRules = [[Int32]](repeating: [], count: n)
        var egressRules = [[Int32]](repeating: [], count: n)
        var ingressPolicies = [[Int]](repeating: [], count: n)
        var egressPolicies = [[Int]](repeating: [], count: n)

        for (pi, p) in policies.enumerated() {
            // A3: spec.podSelector selects only in the policy's own namespace.
            guard let nsList = unitListInNs[p.namespace] else { continue }
            let policyNs = Int32(nsIds[p.namespace]!)
            let targetSel = selectPods(p.podSelector)
            let targets: [Int] = targetSel.list.count < nsList.count
                ? targetSel.list.filter { isUnit[Int($0)] && nsOf[Int($0)] == policyNs }.map { Int($0) }
                : nsList.filter { targetSel.contains($0) }.map { Int($0) }
            if targets.isEmpty { continue }
            for direction in PolicyType.allCases where p.affects(direction) {  // A4, A5
                var ids: [Int32] = []
                for (ri, r) in (direction == .ingress ? p.ingress : p.egress).enumerated() {
                    var c = CompiledRule(matchesAll: r.peers.isEmpty, workloads: WorkloadSet(count: n, dense: nil, extra: []),
                                         blocks: [], fixed: .none, named: [], policy: pi, index: ri)
                    var dense: Bitset?
                    var listed: [Int32] = []
                    for peer in r.peers {  // B4: peers ORed
                        switch peer {
                        case .pods(let ps, let nsSel):
                            // C1, C2, C3: podSelector alone = policy namespace; both = AND. Members come from the
                            // shorter of the two sides, tested against the other; a bitset only when both are many.
                            let pods = ps.map(selectPods)
                            let nsFlags = nsSel.map { selectNamespaces($0).flags }
                            let nsCount = nsSel.map { selectNamespaces($0).peers } ?? (peerListInNs[p.namespace]?.count ?? 0)
                            func inNamespaces(_ i: Int32) -> Bool {
                                guard isPeer[Int(i)] else { return false }
                                return nsFlags.map { $0[Int(nsOf[Int(i)])] } ?? (nsOf[Int(i)] == policyNs)
                            }
                            if let pods, pods.list.count <= limit && pods.list.count <= nsCount {
                                for i in pods.list where inNamespaces(i) { listed.append(i) }
                            } else if nsCount <= limit {
                                let nsMembers = nsSel.map(namespacePeerList) ?? (peerListInNs[p.namespace] ?? [])
                                for i in nsMembers where pods?.contains(i) ?? true { listed.append(i) }
                            } else {
                                let nsBits = nsSel.map(namespacePeerBits) ?? sameNamespaceBits(p.namespace)
                                let b = pods.map { nsBits.intersection($0.bits!) } ?? nsBits
                                if dense == nil { dense = b } else { dense!.formUnion(b) }
                            }
                        case .ipBlock(let b):
                            c.blocks.append(b)
                            for i in ipMatchable where workloads[i].ips.allSatisfy({ b.contains($0) }) {
                                listed.append(Int32(i))
                            }
                        }
                    }
                    c.workloads = WorkloadSet(count: n, dense: dense, extra: listed)
                    if r.ports.isEmpty {
                        c.fixed = .all  // F3
                    } else {
                        for port in r.ports {  // B4: ports ORed
                            switch port.port {
                            case nil: c.fixed[port.proto] = .all  // F2
                            case .number(let a)?:
                                let b = options.endPortSupported ? (port.endPort ?? a) : a  // F4
                                c.fixed[port.proto] = c.fixed[port.proto].union(PortSet(a...max(a, b)))
                            case .name(let s)?: c.named.append((port.proto, s))
                            }
                        }
                    }
                    ids.append(Int32(rules.count))
                    rules.append(c)
                    ruleIsEgress.append(direction == .egress)
                }
                for t in targets {
                    if direction == .ingress {
                        ingressIsolated[t] = true  // A2
                        ingressRules[t] += ids  // A7: union over policies
                        ingressPolicies[t].append(pi)
                    } else {
                        egressIsolated[t] = true
                        egressRules[t] += ids
                        egressPolicies[t].append(pi)
                    }
                }
            }
        }
        self.rules = rules
        var ingressNaming = [[Int32]](repeating: [], count: n), egressNaming = [[Int32]](repeating: [], count: n)
        for (i, r) in rules.enumerated() where !r.matchesAll && r.workloads.isList {
            for m in r.workloads.members {
                if ruleIsEgress[i] { egressNaming[Int(m)].append(Int32(i)) } else { ingressNaming[Int(m)].append(Int32(i)) }
            }
        }
        func wide(_ lists: [[Int32]]) -> [[Int32]] {
            lists.map { list in
                list.indices.filter { rules[Int(list[$0])].matchesAll || !rules[Int(list[$0])].workloads.isList }.map { Int32($0) }
            }
        }
        self.ingressNaming = ingressNaming
        self.egressNaming = egressNaming
        ingressWide = wide(ingressRules)
        egressWide = wide(egressRules)
        func addressable(_ lists: [[Int32]]) -> [[Int32]] {
            lists.map { list in
                list.indices.filter { rules[Int(list[$0])].matchesAll || !rules[Int(list[$0])].blocks.isEmpty }.map { Int32($0) }
            }
        }
        ingressAddressable = addressable(ingressRules)
        egressAddressable = addressable(egressRules)
        self.ingressIsolated = ingressIsolated
        self.egressIsolated = egressIsolated
        self.ingressRules = ingressRules
        self.egressRules = egressRules
        self.ingressPolicies = ingressPolicies
        self.egressPolicies = egressPolicies
        var byEp: [Endpoint: [Int]] = [:]
        for (i, w) in workloads.enumerated() { byEp[w.endpoint, default: []].append(i) }
        indexByEndpoint = byEp
        isSinglePod = workloads.map { $0.endpoint.workloadKind == "Pod" }
        isHostNetwork = workloads.map(\.hostNetwork)
        containerPorts = workloads.map(\.containerPorts)
        ingressResolved = workloads.indices.map { d in
            ingressRules[d].map { rules[Int($0)].connections(toPorts: workloads[d].containerPorts) }
        }
        var classes: [[ContainerPort]: Int32] = [:]
        var classLists: [[ContainerPort]] = []
        portClass = workloads.map { w in
            if let c = classes[w.containerPorts] { return c }
            classes[w.containerPorts] = Int32(classLists.count)
            classLists.append(w.containerPorts)
            return Int32(classLists.count - 1)
        }
        var slot = [Int32](repeating: -1, count: rules.count)
        var namedRules: [Int] = []
        for (i, r) in rules.enumerated() where !r.named.isEmpty {
            slot[i] = Int32(namedRules.count)
            namedRules.append(i)
        }
        namedSlot = slot
        if !namedRules.isEmpty && namedRules.count * classLists.count <= 1 << 20 {
            var table: [ConnectionSet] = []
            table.reserveCapacity(namedRules.count * classLists.count)
            for i in namedRules {
                for ports in classLists { table.append(rules[i].connections(toPorts: ports)) }
            }
            namedResolved = table
            portClassCount = classLists.count
        } else {
            namedResolved = []
            portClassCount = 0
        }
        var nodeIndexes: [String: Int] = ["": -1]
        nodeIndex = workloads.map { w in
            if let i = nodeIndexes[w.nodeName] { return i }
            nodeIndexes[w.nodeName] = nodeIndexes.count
            return nodeIndexes.count - 1
        }
        hasNamedRules = rules.contains { !$0.named.isEmpty }
        tiers = adminPolicies.isEmpty ? nil
            : AdminTiers(policies: adminPolicies, namespaces: nsMap, workloads: workloads, selectable: selectable,
                         names: dnsNames, nodes: nodes)
    }

    /// Workloads that can possibly reach workload `d` (a superset): every workload when `d` is not
    /// ingress-isolated or a rule matches all peers, else the union of its ingress rules' peer bits; host-network
    /// workloads are always included when they are node traffic (same-node traffic is allowed).
    public func possibleSources(of d: Int) -> Bitset { possiblePeers(of: d, outbound: false) }

    /// Workloads that workload `s` can possibly reach (a superset; see `possibleSources`).
    public func possibleDestinations(of s: Int) -> Bitset { possiblePeers(of: s, outbound: true) }

    /// `possibleSources(of:)` (`outbound` false) or `possibleDestinations(of:)`.
    func possiblePeers(of w: Int, outbound: Bool) -> Bitset {
        let n = workloads.count
        if cilium != nil { return Bitset.full(n) }
        guard outbound ? egressIsolated[w] : ingressIsolated[w], tiers == nil else { return Bitset.full(n) }
        var b = Bitset(count: n)
        for r in outbound ? egressRules[w] : ingressRules[w] {
            let rule = rules[Int(r)]
            if rule.matchesAll { return Bitset.full(n) }
            rule.workloads.union(into: &b)
        }
        if options.hostNetwork == .asNode { b.formUnion(hostNetworkBits) }
        if options.selfAlwaysAllowed { b.insert(w) }
        return b
    }

    /// `possibleSources(of:)` (`outbound` false) or `possibleDestinations(of:)` as an ascending list without
    /// duplicates, when every rule of `w` in that direction lists its workloads and they are at most `limit`; nil
    /// otherwise (then use the bitset). The same members as the bitset, at what the rules name instead of a bit
    /// per workload (the diff asks this of every endpoint: bitsets would be endpoints squared).
    public func possibleList(of w: Int, outbound: Bool, limit: Int) -> [Int32]? {
        if cilium != nil || tiers != nil { return nil }
        guard outbound ? egressIsolated[w] : ingressIsolated[w] else { return nil }
        var out: [Int32] = []
        let rs = outbound ? egressRules[w] : ingressRules[w]
        // Each rule's members are ascending: a few runs are merged as they come (a pass each), many sorted once.
        let merging = rs.count <= 8
        var total = 0
        for r in rs {
            let rule = rules[Int(r)]
            guard !rule.matchesAll, rule.workloads.isList else { return nil }
            total += rule.workloads.members.count
            if total > limit { return nil }
            let mid = out.count
            out += rule.workloads.members
            if merging { out.mergeRuns(at: mid, headAscending: true) }
        }
        if options.hostNetwork == .asNode {
            let mid = out.count
            out += hostNetworkList
            out.mergeRuns(at: mid, headAscending: merging)
        }
        if options.selfAlwaysAllowed {
            out.append(Int32(w))
            out.mergeRuns(at: out.count - 1, headAscending: merging)
        }
        out.sortRemovingRepeats()
        return out.count > limit ? nil : out
    }

    /// The ipBlocks of the rules that apply to workload `w` in one direction: its answers towards external
    /// addresses only change at these blocks' boundaries.
    public func applicableBlocks(of w: Int, outbound: Bool) -> [IPBlock] {
        var out: [IPBlock] = []
        for r in outbound ? egressRules[w] : ingressRules[w] { out += rules[Int(r)].blocks }
        if let tiers { out += tiers.blocks(of: w, egress: outbound) }
        if let c = cilium { out += c.evaluator.blocks }
        return out
    }

    /// True when some ipBlock of the set is IPv6 (external ranges then cover IPv6 too).
    public var hasIPv6Blocks: Bool {
        ipBlocks.contains { $0.cidr.network.isV6 } || (cilium?.evaluator.blocks ?? []).contains { $0.cidr.network.isV6 }
    }

    /// Host-network workloads, ascending.
    var hostNetworkList: [Int32] { isHostNetwork.indices.filter { isHostNetwork[$0] }.map { Int32($0) } }

    var hostNetworkBits: Bitset {
        var b = Bitset(count: workloads.count)
        for (i, w) in workloads.enumerated() where w.hostNetwork { b.insert(i) }
        return b
    }

    /// Indexes of the workload variants of an endpoint.
    public func indexes(of endpoint: Endpoint) -> [Int] { indexByEndpoint[endpoint] ?? [] }

    public func isIngressIsolated(_ i: Int) -> Bool { cilium?.evaluator.isIngressIsolated(i) ?? ingressIsolated[i] }
    public func isEgressIsolated(_ i: Int) -> Bool { cilium?.evaluator.isEgressIsolated(i) ?? egressIsolated[i] }

    /// Every ipBlock of the policy set (for partitioning external addresses).
    public var ipBlocks: [IPBlock] {
        var out: [IPBlock] = []
        for p in policies {
            for r in p.ingress + p.egress {
                for peer in r.peers { if case .ipBlock(let b) = peer { out.append(b) } }
            }
        }
        if let tiers { out += tiers.allBlocks }
        return out
    }

    /// What the policy set allows from `source` to `destination` (B1, B2). Reply traffic needs nothing (B3).
    public func connections(from source: EvalPeer, to destination: EvalPeer) -> ConnectionSet {
        if let c = cilium { return c.evaluator.connections(from: source, to: destination) }
        switch (source, destination) {
        case (.workload(let s), .workload(let d)):
            return connections(s, d)
        case (.workload(let s), _):
            if case .ownNode = destination { return ownNodeEgress(s) }
            return egress(s, to: destination, destinationIndex: -1)  // B2: only the pod's side
        case (_, .workload(let d)):
            if case .ownNode = source { return .all }  // B5
            return ingress(d, from: source)
        default:
            return .all  // no pod on either end: NetworkPolicy does not apply
        }
    }

    /// Workload to workload (indexes), the pair loop's entry point.
    @inline(__always)
    public func connections(_ s: Int, _ d: Int) -> ConnectionSet {
        if let c = cilium { return c.evaluator.connections(from: CiliumPeer.workload(s), to: CiliumPeer.workload(d)) }
        if alwaysAllowed(s, d) { return .all }
        let e = egress(s, to: .workload(d), destinationIndex: d)
        if e.isEmpty { return e }
        if !ingressIsolated[d] && tiers == nil { return e }
        return e.intersection(ingress(d, from: .workload(s)))
    }

    /// Workload pairs NetworkPolicy always allows: a pod to itself (B6), and, with host-network pods as node
    /// traffic, same-node (B5) and node-to-node pairs.
    @inline(__always)
    func alwaysAllowed(_ s: Int, _ d: Int) -> Bool {
        if s == d && options.selfAlwaysAllowed && isSinglePod[s] { return true }  // B6
        if options.hostNetwork == .asNode && (isHostNetwork[s] || isHostNetwork[d]) {
            if nodeIndex[s] >= 0 && nodeIndex[s] == nodeIndex[d] { return true }  // B5
            if isHostNetwork[s] && isHostNetwork[d] { return true }  // node to node: no pod involved
        }
        return false
    }

    /// Which sides deny `proto` `port` from `source` to `destination`, nil when `connections(from:to:)` allows
    /// it: the sides are `sides(from:to:)`'s. For a workload pair each side is computed once (`check` asks this of
    /// every observed edge, and most edges of a set that breaks much are denied).
    public func denial(from source: EvalPeer, to destination: EvalPeer, proto: Proto, port: Int)
        -> (egress: Bool, ingress: Bool)? {
        if cilium == nil, case .workload(let s) = source, case .workload(let d) = destination {
            if alwaysAllowed(s, d) { return nil }
            // connections(s, d) is egress ∩ ingress (ingress is .all when `d` is not isolated and no tier
            // applies), and these are the two halves `sides` returns.
            let e = egress(s, to: destination, destinationIndex: d).contains(proto, port)
            let i = ingress(d, from: source).contains(proto, port)
            return e && i ? nil : (!e, !i)
        }
        if connections(from: source, to: destination).contains(proto, port) { return nil }
        let sides = sides(from: source, to: destination)
        return (!sides.egress.contains(proto, port), !sides.ingress.contains(proto, port))
    }

    /// What the egress side allows: NetworkPolicies alone, or inside the cluster-wide tiers (T1).
    @inline(__always)
    func egress(_ s: Int, to peer: EvalPeer, destinationIndex d: Int) -> ConnectionSet {
        guard let tiers else { return networkPolicyEgress(s, to: peer, destinationIndex: d) }
        return tiers.direction(s, egress: true, peer: peer, destinationPorts: d >= 0 ? containerPorts[d] : nil,
                               networkPolicy: egressIsolated[s] ? networkPolicyEgress(s, to: peer, destinationIndex: d) : nil)
    }

    /// A pod to its own node: always allowed by NetworkPolicies (B5), but an admin-tier `nodes` peer matching
    /// the node decides it like any egress (T10); the baseline tier only where no NetworkPolicy isolates (T2).
    func ownNodeEgress(_ s: Int) -> ConnectionSet {
        guard let tiers, tiers.matchesNodes else { return .all }
        return tiers.direction(s, egress: true, peer: .ownNode, destinationPorts: nil,
                               networkPolicy: egressIsolated[s] ? .all : nil)
    }

    @inline(__always)
    func ingress(_ d: Int, from peer: EvalPeer) -> ConnectionSet {
        guard let tiers else { return networkPolicyIngress(d, from: peer) }
        return tiers.direction(d, egress: false, peer: peer, destinationPorts: containerPorts[d],
                               networkPolicy: ingressIsolated[d] ? networkPolicyIngress(d, from: peer) : nil)
    }

    /// Whether the ascending rule-id list `list` holds `r`, and where.
    @inline(__always)
    static func position(of r: Int32, in list: [Int32]) -> Int? {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if list[mid] < r { lo = mid + 1 } else { hi = mid }
        }
        return lo < list.count && list[lo] == r ? lo : nil
    }

    @inline(__always)
    func networkPolicyEgress(_ s: Int, to peer: EvalPeer, destinationIndex d: Int) -> ConnectionSet {
        guard egressIsolated[s] else { return .all }  // A1, A8
        var c = ConnectionSet.none  // A6
        let list = egressRules[s]
        return rules.withUnsafeBufferPointer { rp in
            func add(_ i: Int) {
                if rp[i].named.isEmpty {
                    c.formUnion(rp[i].fixed)
                } else {
                    if d < 0 {
                        c.formUnion(rp[i].fixed)
                    } else if portClassCount > 0 {
                        c.formUnion(namedResolved[Int(namedSlot[i]) * portClassCount + Int(portClass[d])])
                    } else {
                        c.formUnion(rp[i].connections(toPorts: containerPorts[d]))
                    }
                }
            }
            // A workload peer: the listed rules naming it that apply to `s`, then the wide ones (same answer as
            // visiting every rule of `s`; fewer visits when `s` has many rules).
            if case .workload(let w) = peer, egressNaming[w].count < list.count {
                for r in egressNaming[w] where Self.position(of: r, in: list) != nil {
                    add(Int(r))
                    if c.isAll { return c }
                }
                for k in egressWide[s] {
                    let i = Int(list[Int(k)])
                    guard rp[i].matches(peer) else { continue }
                    add(i)
                    if c.isAll { return c }
                }
                return c
            }
            if case .workload = peer {} else {
                for k in egressAddressable[s] {
                    let i = Int(list[Int(k)])
                    guard rp[i].matches(peer) else { continue }
                    add(i)
                    if c.isAll { break }
                }
                return c
            }
            for r in list {
                let i = Int(r)
                guard rp[i].matches(peer) else { continue }
                add(i)
                if c.isAll { break }
            }
            return c
        }
    }

    @inline(__always)
    func networkPolicyIngress(_ d: Int, from peer: EvalPeer) -> ConnectionSet {
        guard ingressIsolated[d] else { return .all }
        var c = ConnectionSet.none
        let resolved = ingressResolved[d]
        let list = ingressRules[d]
        return rules.withUnsafeBufferPointer { rp in
            if case .workload(let w) = peer, ingressNaming[w].count < list.count {
                for r in ingressNaming[w] {
                    guard let k = Self.position(of: r, in: list) else { continue }
                    c.formUnion(resolved[k])
                    if c.isAll { return c }
                }
                for k in ingressWide[d] {
                    let k = Int(k)
                    guard rp[Int(list[k])].matches(peer) else { continue }
                    c.formUnion(resolved[k])
                    if c.isAll { return c }
                }
                return c
            }
            if case .workload = peer {} else {
                for k in ingressAddressable[d] {
                    let k = Int(k)
                    guard rp[Int(list[k])].matches(peer) else { continue }
                    c.formUnion(resolved[k])
                    if c.isAll { break }
                }
                return c
            }
            for (k, r) in list.enumerated() {
                guard rp[Int(r)].matches(peer) else { continue }
                c.formUnion(resolved[k])
                if c.isAll { break }
            }
            return c
        }
    }

    /// The two halves of a connection (B1): what the source's egress allows towards the destination, and what
    /// the destination's ingress allows from the source (`.all` for a side that is not a pod or not isolated).
    /// `connections(from:to:)` is their intersection, except for the pairs it always allows (B5, B6, G1).
    public func sides(from source: EvalPeer, to destination: EvalPeer) -> (egress: ConnectionSet, ingress: ConnectionSet) {
        if let c = cilium { return c.evaluator.halves(from: CiliumPeer(source), to: CiliumPeer(destination)) }
        var e = ConnectionSet.all, i = ConnectionSet.all
        if case .workload(let s) = source {
            if case .workload(let d) = destination {
                e = egress(s, to: destination, destinationIndex: d)
            } else if destination == .ownNode {
                e = ownNodeEgress(s)
            } else {
                e = egress(s, to: destination, destinationIndex: -1)
            }
        }
        if case .workload(let d) = destination, source != .ownNode { i = ingress(d, from: source) }
        return (e, i)
    }

    /// One rule that applies to a workload variant in one direction, asked about one peer: whether its peers
    /// match, and what it allows towards the destination (named ports resolved).
    public struct RuleMatch: Sendable, Hashable {
        /// Index into `policies`.
        public var policy: Int
        /// Index of the rule in the policy's `ingress` or `egress` list.
        public var rule: Int
        public var peerMatches: Bool
        public var connections: ConnectionSet
    }

    /// The rules of the policies isolating workload variant `w` in one direction, asked about `peer` (the other
    /// end). Egress rules resolve named ports against `peer` when it is a workload.
    public func ruleMatches(of w: Int, egress isEgress: Bool, peer: EvalPeer) -> [RuleMatch] {
        if isEgress {
            return egressRules[w].map { r in
                let rule = rules[Int(r)]
                var c = rule.fixed
                if case .workload(let d) = peer { c = rule.connections(toPorts: containerPorts[d]) }
                return RuleMatch(policy: rule.policy, rule: rule.index, peerMatches: rule.matches(peer), connections: c)
            }
        }
        return ingressRules[w].enumerated().map { k, r in
            let rule = rules[Int(r)]
            return RuleMatch(policy: rule.policy, rule: rule.index, peerMatches: rule.matches(peer),
                             connections: ingressResolved[w][k])
        }
    }

    /// The admin-tier (and, where no NetworkPolicy isolates, baseline-tier) rules deciding one port of one
    /// direction for workload variant `w` towards `peer` (empty without tiers or when none matches).
    public func tierDecisions(of w: Int, egress isEgress: Bool, peer: EvalPeer, proto: Proto, port: Int) -> [String] {
        guard let tiers else { return [] }
        var ports: [ContainerPort]? = containerPorts[w]
        if isEgress { if case .workload(let d) = peer { ports = containerPorts[d] } else { ports = nil } }
        return tiers.deciding(w, egress: isEgress, peer: peer, destinationPorts: ports, proto: proto, port: port,
                              networkPolicyIsolates: isEgress ? egressIsolated[w] : ingressIsolated[w])
    }

    /// Names (`namespace/name`, sorted) of the policies isolating a workload variant in one direction.
    public func isolatingPolicies(of w: Int, egress: Bool) -> [String] {
        let own = Set((egress ? egressPolicies[w] : ingressPolicies[w]).map { policies[$0].qualifiedName }).sorted()
        return own + (cilium?.evaluator.isolatingPolicies(of: w, egress: egress) ?? [])
    }

    /// Connections between two endpoints over all their workload variants: what holds for every variant pair.
    /// Nil when an endpoint is unknown.
    public func connections(from source: Endpoint, to destination: Endpoint) -> ConnectionSet? {
        let ss = indexes(of: source), ds = indexes(of: destination)
        guard !ss.isEmpty, !ds.isEmpty else { return nil }
        var out = ConnectionSet.all
        for s in ss { for d in ds { out = out.intersection(connections(from: .workload(s), to: .workload(d))) } }
        return out
    }
}
