import FlowModel

/// Cilium policy evaluation (docs/cilium-semantics.md; rule IDs in the comments) over a fixed set of workloads,
/// for CiliumNetworkPolicies, CiliumClusterwideNetworkPolicies and, in a mixed set, the NetworkPolicies
/// Cilium enforces beside them (CM1): allows are a union over every policy of either kind, deny rules win, and
/// an endpoint is isolated in a direction when any policy of either kind isolates it.
public struct CiliumEvaluator: Sendable {
    public let policies: [CiliumPolicy]
    public let workloads: [Workload]
    public let options: CiliumOptions
    /// The NetworkPolicies of a mixed set, evaluated by the NetworkPolicy evaluator's rules.
    public let networkPolicies: PolicyEvaluator
    /// DNS names observed for external addresses (what `toFQDNs` can have learnt, CF4).
    public let dnsNames: [IPAddr: [String]]
    public let services: [CiliumService]

    /// One ingress/egress (allow or deny) rule of one policy rule, with its peers resolved where they can be.
    struct Entry: Sendable {
        var policy: Int
        var ingress: Bool
        var deny: Bool
        var rule: CiliumPeerRule
        /// Peer endpoint selectors after Cilium's namespace defaulting (CS5-CS7).
        var selectors: [CiliumSelector]
        /// Workloads the L3 part matches.
        var workloadPeers: Bitset
        /// No L3 field but ports: every peer (CR2).
        var matchesAll: Bool
    }

    let entries: [Entry]
    /// Per workload, the entries that apply to it, per direction (allow and deny together).
    let ingressEntries: [[Int]]
    let egressEntries: [[Int]]
    let ingressIsolated: [Bool]
    let egressIsolated: [Bool]
    /// Entries of host policies (nodeSelector), when the host firewall is on.
    let hostIngressEntries: [Int]
    let hostEgressEntries: [Int]
    let hostIngressIsolated: Bool
    let hostEgressIsolated: Bool
    let identities: [CiliumLabelSet]
    let indexByEndpoint: [Endpoint: [Int]]

    public init(policies: [CiliumPolicy], networkPolicies: [NetworkPolicy] = [], namespaces: [ClusterNamespace] = [],
                workloads: [Workload], options: CiliumOptions = .default, dnsNames: [IPAddr: [String]] = [:],
                services: [CiliumService] = []) {
        self.policies = policies
        self.workloads = workloads
        self.options = options
        self.dnsNames = dnsNames
        self.services = services
        var npOptions = EvaluatorOptions(selfAlwaysAllowed: options.selfAlwaysAllowed)
        npOptions.cilium.policyDefaultLocalCluster = options.policyDefaultLocalCluster
        let np = PolicyEvaluator(policies: networkPolicies, namespaces: namespaces, workloads: workloads,
                                 options: npOptions)
        self.networkPolicies = np
        let n = workloads.count
        let identities = workloads.map { w in
            CiliumLabelSet.pod(labels: w.labels, namespace: w.namespace,
                               namespaceLabels: np.namespaces[w.namespace]?.labels ?? [:],
                               cluster: w.endpoint.isRemote ? w.endpoint.cluster : options.clusterName)
        }
        self.identities = identities

        var entries: [Entry] = []
        var ingressEntries = [[Int]](repeating: [], count: n), egressEntries = [[Int]](repeating: [], count: n)
        var ingressIsolated = [Bool](repeating: false, count: n), egressIsolated = [Bool](repeating: false, count: n)
        var hostIn: [Int] = [], hostOut: [Int] = []
        var hostInIso = false, hostOutIso = false
        for (pi, p) in policies.enumerated() {
            for rule in p.rules {
                var subjects: [Int] = []
                var isHost = false
                switch rule.subject {
                case .endpoints(let sel):
                    // CS5: a namespaced policy selects only endpoints of its namespace.
                    var s = sel
                    if !p.isClusterwide {
                        s = s.adding(.init(source: CiliumLabel.k8s, key: CiliumLabel.namespaceKey, op: .in,
                                           values: [p.namespace]))
                    }
                    // ClusterMesh: a policy applies in the cluster it is applied to.
                    s = s.adding(.init(source: CiliumLabel.any, key: CiliumLabel.clusterKey, op: .in,
                                       values: [options.clusterName]))
                    subjects = workloads.indices.filter { s.matches(identities[$0]) }
                case .nodes(let sel):
                    // CP2: host policies apply only with the host firewall; node labels are not known, so only
                    // a selector that needs none selects the host.
                    guard options.hostFirewall, sel.matches(CiliumLabelSet.reserved(.host)) || sel.isEmpty else {
                        continue
                    }
                    isHost = true
                }
                let matchesInit: Bool = {
                    if case .endpoints(let s) = rule.subject {
                        return s.requirements.contains { $0.source == CiliumLabel.reserved && $0.key == "init" }
                    }
                    return false
                }()
                for inbound in [true, false] {
                    var ids: [Int] = []
                    for deny in [false, true] {
                        for r in rule.rules(ingress: inbound, deny: deny) {
                            let sels = (r.endpoints ?? []).map {
                                Self.localCluster(Self.peerSelector($0, namespace: p.namespace,
                                                                    clusterwide: p.isClusterwide, matchesInit: matchesInit),
                                                  options)
                            }
                            var bits = Bitset(count: n)
                            if !r.hasEmptySelectorList {
                                for i in workloads.indices where Self.l3Matches(r, sels, identities[i])
                                    || Self.backs(r.services ?? [], services, workloads[i]) {
                                    bits.insert(i)
                                }
                            }
                            ids.append(entries.count)
                            entries.append(Entry(policy: pi, ingress: inbound, deny: deny, rule: r, selectors: sels,
                                                 workloadPeers: bits,
                                                 matchesAll: r.hasNoPeerFields && r.ports != nil))
                        }
                    }
                    if ids.isEmpty { continue }
                    let isolates = rule.isolates(ingress: inbound, honourEnableDefaultDeny: options.nonDefaultDenyPolicies)
                    if isHost {
                        if inbound { hostIn += ids; hostInIso = hostInIso || isolates } else {
                            hostOut += ids
                            hostOutIso = hostOutIso || isolates
                        }
                        continue
                    }
                    for t in subjects {
                        if inbound {
                            ingressEntries[t] += ids
                            if isolates { ingressIsolated[t] = true }  // CD1
                        } else {
                            egressEntries[t] += ids
                            if isolates { egressIsolated[t] = true }
                        }
                    }
                }
            }
        }
        for i in 0..<n {
            // CM1: a NetworkPolicy isolating the pod isolates it under Cilium too.
            if np.isIngressIsolated(i) { ingressIsolated[i] = true }
            if np.isEgressIsolated(i) { egressIsolated[i] = true }
        }
        self.entries = entries
        self.ingressEntries = ingressEntries
        self.egressEntries = egressEntries
        self.ingressIsolated = ingressIsolated
        self.egressIsolated = egressIsolated
        hostIngressEntries = hostIn
        hostEgressEntries = hostOut
        hostIngressIsolated = hostInIso
        hostEgressIsolated = hostOutIso
        var byEp: [Endpoint: [Int]] = [:]
        for (i, w) in workloads.enumerated() { byEp[w.endpoint, default: []].append(i) }
        indexByEndpoint = byEp
    }

    /// CS2, CS6, CS7: keys without a source are `any:`; a selector naming a reserved label is used as written;
    /// one without a namespace key gets the policy's namespace (namespaced policy, unless it selects by
    /// namespace labels) or `io.kubernetes.pod.namespace` Exists (clusterwide: pods only).
    static func peerSelector(_ s: CiliumSelector, namespace: String, clusterwide: Bool, matchesInit: Bool)
        -> CiliumSelector {
        if s.hasReservedKey || s.hasKey(CiliumLabel.namespaceKey) { return s }
        if clusterwide {
            return matchesInit ? s : s.adding(.init(source: CiliumLabel.k8s, key: CiliumLabel.namespaceKey, op: .exists))
        }
        if matchesInit || s.hasKeyPrefix(CiliumLabel.namespaceLabelsPrefix) { return s }
        return s.adding(.init(source: CiliumLabel.k8s, key: CiliumLabel.namespaceKey, op: .in, values: [namespace]))
    }

    /// `policy-default-local-cluster`: a peer selector that names no cluster selects the local cluster only
    /// (selectors of reserved identities are left as written).
    static func localCluster(_ s: CiliumSelector, _ o: CiliumOptions) -> CiliumSelector {
        guard o.policyDefaultLocalCluster, !s.hasReservedKey, !s.hasKey(CiliumLabel.clusterKey) else { return s }
        return s.adding(.init(source: CiliumLabel.any, key: CiliumLabel.clusterKey, op: .in, values: [o.clusterName]))
    }

    /// L3 match of a rule against a pod identity (endpoint selectors, `cluster` and `all`).
    static func l3Matches(_ r: CiliumPeerRule, _ sels: [CiliumSelector], _ id: CiliumLabelSet) -> Bool {
        if r.hasNoPeerFields { return r.ports != nil }
        if sels.contains(where: { $0.matches(id) }) { return true }
        return (r.entities ?? []).contains { $0 == .all || $0 == .cluster }
    }

    /// CV1: a pod behind a selected Service (by the Service's pod selector, in its namespace).
    static func backs(_ sels: [CiliumServiceSelector], _ services: [CiliumService], _ w: Workload) -> Bool {
        if sels.isEmpty { return false }
        return services.contains { svc in
            guard let podSel = svc.selector, svc.namespace == w.namespace, sels.contains(where: { $0.matches(svc) })
            else { return false }
            return LabelSelector(matchLabels: podSel).matches(w.labels)
        }
    }

    // MARK: - Queries

    public func indexes(of endpoint: Endpoint) -> [Int] { indexByEndpoint[endpoint] ?? [] }
    public func isIngressIsolated(_ i: Int) -> Bool { isolated(i, ingress: true) }
    public func isEgressIsolated(_ i: Int) -> Bool { isolated(i, ingress: false) }

    func isolated(_ i: Int, ingress: Bool) -> Bool {
        switch options.enforcement {
        case .always: return true
        case .never: return false
        case .default: return ingress ? ingressIsolated[i] : egressIsolated[i]
        }
    }

    /// The reserved identity of a non-pod peer (CE3: external addresses are `world`, or `world-ipv4/6` in
    /// dual-stack mode).
    func identity(of peer: CiliumPeer) -> CiliumEntity? {
        switch peer {
        case .workload: return nil
        case .entity(let e): return e
        case .address(let a): return options.dualStack ? (a.isV6 ? .worldIPv6 : .worldIPv4) : .world
        case .range(let r): return options.dualStack ? (r.first.isV6 ? .worldIPv6 : .worldIPv4) : .world
        }
    }

    /// Does the L3 part of an entry select the peer (CR1-CR3, CE1-CE4, CC1-CC3, CF4, CV1)?
    func matches(_ e: Entry, _ peer: CiliumPeer) -> Bool {
        if case .workload(let i) = peer { return e.workloadPeers.contains(i) }
        let r = e.rule
        if r.hasEmptySelectorList { return false }  // CR3
        if r.hasNoPeerFields { return e.matchesAll }  // CR1, CR2
        guard let id = identity(of: peer) else { return false }
        let labels = CiliumLabelSet.reserved(id)
        if e.selectors.contains(where: { $0.matches(labels) }) { return true }  // e.g. reserved:host
        if id == .remoteNode, let nodes = r.nodes, nodes.contains(where: { $0.isEmpty }) { return true }
        if let ents = r.entities, ents.contains(where: { $0.reservedIdentities.contains(id) }) { return true }
        let isWorld = id == .world || id == .worldIPv4 || id == .worldIPv6
        if isWorld {
            let blocks = r.blocks
            switch peer {
            case .address(let a):
                if blocks.contains(where: { $0.contains(a) }) { return true }  // CC1, CC2
                if let f = r.fqdns, let names = dnsNames[a],
                   f.contains(where: { sel in names.contains { sel.matches($0) } }) { return true }  // CF4
                if let s = r.services,
                   services.contains(where: { svc in s.contains { $0.matches(svc) } && svc.addresses.contains(a) }) {
                    return true
                }
            case .range(let rg):
                if blocks.contains(where: { $0.contains(rg) }) { return true }
            default:
                if blocks.contains(where: { $0.coversFamily }) { return true }  // CC3: /0 is world
            }
        }
        return false
    }

    /// What one entry opens towards a port owner (named ports resolve against the destination pod, CR6).
    func connections(_ e: Entry, portOwner: Int?) -> ConnectionSet {
        guard let prs = e.rule.ports else { return .all }  // CR2
        var c = ConnectionSet.none
        for pr in prs { c.formUnion(connections(pr, portOwner: portOwner)) }
        return c
    }

    func connections(_ pr: CiliumPortRule, portOwner: Int?) -> ConnectionSet {
        if pr.ports.isEmpty { return ConnectionSet(tcp: .all, udp: .all, sctp: options.sctp ? .all : .none) }
        var c = ConnectionSet.none
        for p in pr.ports {
            for proto in p.protocols(sctp: options.sctp) {
                switch p.port {
                case .number(0): c[proto] = .all  // CR4
                case .number(let a): c[proto] = c[proto].union(PortSet(a...(p.endPort ?? a)))
                case .name(let name):
                    guard let d = portOwner,
                          let n = workloads[d].containerPorts.first(where: { $0.name.lowercased() == name && $0.proto == proto }).map({ Int($0.port) })
                    else { continue }
                    c[proto] = c[proto].union(PortSet(n...n))
                }
            }
        }
        return c
    }

    /// One direction at one endpoint: whether it is isolated, what allow rules grant (with their L7 rules) and
    /// what deny rules take away.
    struct Side {
        var isolated: Bool
        var grants: [(ConnectionSet, CiliumL7Rules?)] = []
        var denied = ConnectionSet.none

        var allowed: ConnectionSet {
            var c = ConnectionSet.none
            if isolated {
                for g in grants { c.formUnion(g.0) }
            } else {
                c = .all
            }
            return c.subtracting(denied)  // CD3: deny wins
        }

        /// Does this side let the request through at L7 (CL3: any applicable grant without L7 rules, or whose
        /// rules admit the request)? Not isolated: no L7 filtering.
        func admits(_ proto: Proto, _ port: Int, _ request: L7Request) -> Bool {
            if denied.contains(proto, port) { return false }
            guard isolated else { return true }
            return grants.contains { g in g.0.contains(proto, port) && (g.1.map { $0.admits(request) } ?? true) }
        }
    }

    /// `subject` is a workload index, or nil for the host (host firewall).
    func side(subject: Int?, peer: CiliumPeer, ingress: Bool, portOwner: Int?) -> Side {
        if options.enforcement == .never { return Side(isolated: false) }
        let ids: [Int]
        var s: Side
        if let w = subject {
            ids = ingress ? ingressEntries[w] : egressEntries[w]
            s = Side(isolated: isolated(w, ingress: ingress))
            // CM1: the NetworkPolicies' allows join the union.
            if ingress ? networkPolicies.isIngressIsolated(w) : networkPolicies.isEgressIsolated(w) {
                let d = portOwner ?? -1
                let c = ingress ? networkPolicies.ingress(w, from: peer.networkPolicyPeer)
                    : networkPolicies.egress(w, to: peer.networkPolicyPeer, destinationIndex: d)
                s.grants.append((c, nil))
            }
        } else {
            ids = ingress ? hostIngressEntries : hostEgressEntries
            s = Side(isolated: options.enforcement == .always || (ingress ? hostIngressIsolated : hostEgressIsolated))
        }
        for i in ids {
            let e = entries[i]
            guard matches(e, peer) else { continue }
            if e.deny {
                s.denied.formUnion(connections(e, portOwner: portOwner))
            } else if let prs = e.rule.ports {
                for pr in prs { s.grants.append((connections(pr, portOwner: portOwner), pr.rules)) }
            } else {
                s.grants.append((.all, nil))
            }
        }
        return s
    }

    /// The two sides a connection passes: the source's egress and the destination's ingress (nil: not
    /// policed here).
    func sides(from source: CiliumPeer, to destination: CiliumPeer) -> (egress: Side?, ingress: Side?, open: Bool) {
        let (source, destination) = (nodeIdentity(source, other: destination), nodeIdentity(destination, other: source))
        if case .workload(let s) = source, case .workload(let d) = destination, s == d, options.selfAlwaysAllowed,
           workloads[s].endpoint.workloadKind == "Pod" {
            return (nil, nil, true)  // B6
        }
        var egress: Side?, ingress: Side?
        let destPod: Int? = { if case .workload(let d) = destination { return d } else { return nil } }()
        switch source {
        case .workload(let s): egress = side(subject: s, peer: destination, ingress: false, portOwner: destPod)
        case .entity(.host) where options.hostFirewall: egress = side(subject: nil, peer: destination, ingress: false,
                                                                     portOwner: destPod)
        default: break
        }
        switch destination {
        case .workload(let d):
            if case .entity(.host) = source, options.allowLocalhost {
                break  // CE5
            }
            ingress = side(subject: d, peer: source, ingress: true, portOwner: d)
        case .entity(.host) where options.hostFirewall:
            ingress = side(subject: nil, peer: source, ingress: true, portOwner: nil)
        default: break
        }
        return (egress, ingress, false)
    }

    /// CH1: Cilium gives a host-network pod its node's identity, not a pod's: `host` towards a pod on the same
    /// node (both nodes known and equal) and towards anything outside the cluster's pods, `remote-node` towards a
    /// pod elsewhere (or on a node not known). Its own policies never apply to it (it is no Cilium endpoint).
    func nodeIdentity(_ p: CiliumPeer, other: CiliumPeer) -> CiliumPeer {
        guard case .workload(let i) = p, workloads[i].hostNetwork else { return p }
        guard case .workload(let j) = other, !workloads[j].hostNetwork else { return .entity(.host) }
        let node = workloads[i].nodeName
        return !node.isEmpty && node == workloads[j].nodeName ? .entity(.host) : .entity(.remoteNode)
    }

    /// What the policy set allows at L4 from `source` to `destination`. Replies need nothing.
    public func connections(from source: CiliumPeer, to destination: CiliumPeer) -> ConnectionSet {
        let (e, i, open) = sides(from: source, to: destination)
        if open { return .all }
        return (e?.allowed ?? .all).intersection(i?.allowed ?? .all)
    }

    public func connections(from source: EvalPeer, to destination: EvalPeer) -> ConnectionSet {
        connections(from: CiliumPeer(source), to: CiliumPeer(destination))
    }

    /// The two halves (the source's egress, the destination's ingress), `.all` for a side not policed.
    public func halves(from source: CiliumPeer, to destination: CiliumPeer) -> (egress: ConnectionSet, ingress: ConnectionSet) {
        let (e, i, open) = sides(from: source, to: destination)
        if open { return (.all, .all) }
        return (e?.allowed ?? .all, i?.allowed ?? .all)
    }

    /// Cilium policies (`CiliumNetworkPolicy ns/name`, `CiliumClusterwideNetworkPolicy name`) with rules for a
    /// workload variant in one direction, sorted.
    public func isolatingPolicies(of w: Int, egress: Bool) -> [String] {
        Set((egress ? egressEntries[w] : ingressEntries[w]).map { policies[entries[$0].policy].displayName }).sorted()
    }

    /// Every CIDR block of the Cilium policies (external answers only change at their boundaries).
    public var blocks: [IPBlock] { entries.flatMap { $0.rule.blocks } }

    /// Which sides reject an L4-allowed request at L7 (egress, ingress).
    public func rejects(from source: CiliumPeer, to destination: CiliumPeer, proto: Proto, port: Int,
                        request: L7Request) -> (egress: Bool, ingress: Bool) {
        let (e, i, open) = sides(from: source, to: destination)
        if open { return (false, false) }
        return (!(e?.admits(proto, port, request) ?? true), !(i?.admits(proto, port, request) ?? true))
    }

    /// Does the set let this request through, at L4 and at every L7 rule on its way (CL3)?
    public func allows(from source: CiliumPeer, to destination: CiliumPeer, proto: Proto, port: Int,
                       request: L7Request) -> Bool {
        let (e, i, open) = sides(from: source, to: destination)
        if open { return true }
        return (e?.admits(proto, port, request) ?? true) && (i?.admits(proto, port, request) ?? true)
    }

    /// Connections between two endpoints over all their workload variants (what holds for every pair).
    public func connections(from source: Endpoint, to destination: Endpoint) -> ConnectionSet? {
        let ss = indexes(of: source), ds = indexes(of: destination)
        guard !ss.isEmpty, !ds.isEmpty else { return nil }
        var out = ConnectionSet.all
        for s in ss { for d in ds { out = out.intersection(connections(from: CiliumPeer.workload(s), to: CiliumPeer.workload(d))) } }
        return out
    }
}

/// A CiliumEvaluator held by reference, so `PolicyEvaluator` (which it contains for a mixed set's
/// NetworkPolicies) can hold one too.
public final class CiliumBox: Sendable {
    public let evaluator: CiliumEvaluator
    public init(_ evaluator: CiliumEvaluator) { self.evaluator = evaluator }
}
