import FlowModel

/// A peer a policy set admits that need not exist yet (docs/exposure.md): every pod of the cluster, the pods a
/// rule's selectors would match in namespaces a selector would match, or an external address range.
public enum ExposurePeer: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Every pod in every namespace, existing or not (a rule with an empty `namespaceSelector` and no or an empty
    /// `podSelector`, or no peers at all).
    case entireCluster
    /// Pods matching `pods` (nil: any pod) in namespaces matching `namespaces`. A rule peer without
    /// `namespaceSelector` names the policy's own namespace (`kubernetes.io/metadata.name: <ns>`).
    case selected(namespaces: LabelSelector, pods: LabelSelector?)
    case external(IPRange)

    /// netpol-analyzer's wording with FlowMap's selector syntax: `entire-cluster`, `backend/[all pods]`,
    /// `[namespace with {env=prod}]/[pod with {app=x}]`, `[all namespaces]/[pod with {app=x}]`.
    public var description: String {
        switch self {
        case .entireCluster: return "entire-cluster"
        case .external(let r): return r.description
        case .selected(let ns, let pods):
            let n: String
            if ns.matchExpressions.isEmpty, ns.matchLabels.count == 1, let name = ns.matchLabels[ClusterNamespace.nameLabel] {
                n = name
            } else if ns.isEmpty {
                n = "[all namespaces]"
            } else {
                n = "[namespace with {\(ns)}]"
            }
            let p = pods.map { $0.isEmpty ? "[all pods]" : "[pod with {\($0)}]" } ?? "[all pods]"
            return "\(n)/\(p)"
        }
    }

    var rank: Int {
        switch self {
        case .external: return 0
        case .entireCluster: return 1
        case .selected: return 2
        }
    }

    public static func < (a: ExposurePeer, b: ExposurePeer) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        if case .external(let x) = a, case .external(let y) = b { return x < y }
        return a.description < b.description
    }
}

/// What an exposure admits: numeric ports, and named ports of egress rules, which resolve against a destination
/// that does not exist yet and so stay names (`TCP http`: whatever port a new pod names `http`).
public struct ExposureConnections: Sendable, Hashable, CustomStringConvertible {
    /// A port name of a destination that does not exist yet: `TCP http` from a NetworkPolicy (the protocol is the
    /// rule's), `http` from an admin-tier rule (`namedPort` has no protocol: whichever the new pod declares).
    public struct NamedPort: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var proto: Proto?
        public var name: String
        public init(proto: Proto?, name: String) {
            self.proto = proto
            self.name = name
        }
        public static func < (a: NamedPort, b: NamedPort) -> Bool {
            (a.proto?.rawValue ?? "", a.name) < (b.proto?.rawValue ?? "", b.name)
        }
        public var description: String { proto.map { "\($0.rawValue) \(name)" } ?? name }
    }

    public var ports: ConnectionSet
    /// Sorted, without duplicates; empty when `ports` is all connections (they add nothing).
    public private(set) var named: [NamedPort]

    public init(ports: ConnectionSet = .none, named: [NamedPort] = []) {
        self.ports = ports
        self.named = ports.isAll ? [] : Array(Set(named)).sorted()
    }

    public var isEmpty: Bool { ports.isEmpty && named.isEmpty }

    public func union(_ o: ExposureConnections) -> ExposureConnections {
        ExposureConnections(ports: ports.union(o.ports), named: named + o.named)
    }

    /// `TCP 80,UDP 53`, `TCP http`, `TCP 8080,TCP http`, `All Connections`; admin-tier names (no protocol) come
    /// first, `local-port,TCP 8080`, so no name reads as belonging to the protocol before it.
    public var description: String {
        if named.isEmpty { return ports.description }
        let bare = named.filter { $0.proto == nil }.map(\.description)
        let typed = named.filter { $0.proto != nil }.map(\.description)
        return (bare + (ports.isEmpty ? [] : [ports.description]) + typed).joined(separator: ",")
    }
}

/// One exposure: what `workload` admits towards (egress) or from (ingress) `peer`.
public struct ExposureEntry: Sendable, Hashable {
    public var workload: Endpoint
    public var egress: Bool
    public var peer: ExposurePeer
    public var connections: ExposureConnections

    public init(workload: Endpoint, egress: Bool, peer: ExposurePeer, connections: ExposureConnections) {
        self.workload = workload
        self.egress = egress
        self.peer = peer
        self.connections = connections
    }

    /// `ns/a[Deployment] => entire-cluster : TCP 80` (egress) or `ns/a[Deployment] <= backend/[all pods] : …`.
    public var line: String { "\(workload) \(egress ? "=>" : "<=") \(peer) : \(connections)" }
}

/// Exposure analysis of a policy set (netpol-analyzer's `list --exposure` semantics, docs/exposure.md).
public struct ExposureReport: Sendable {
    public struct Unprotected: Sendable, Hashable {
        public var workload: Endpoint
        public var egress: Bool
        public init(workload: Endpoint, egress: Bool) {
            self.workload = workload
            self.egress = egress
        }
        public var line: String { "\(workload) is not protected on \(egress ? "Egress" : "Ingress")" }
    }

    /// Egress entries first, then ingress; each by workload, then peer (external ranges, entire cluster,
    /// selectors).
    public var entries: [ExposureEntry]
    /// Workload directions no policy selects: everything is admitted, from anywhere.
    public var unprotected: [Unprotected]

    public init(entries: [ExposureEntry], unprotected: [Unprotected]) {
        self.entries = entries.sorted {
            ($0.egress ? 0 : 1, $0.workload.description, $0.peer) < ($1.egress ? 0 : 1, $1.workload.description, $1.peer)
        }
        self.unprotected = unprotected.sorted {
            ($0.workload.description, $0.egress ? 0 : 1) < ($1.workload.description, $1.egress ? 0 : 1)
        }
    }

    public var isEmpty: Bool { entries.isEmpty && unprotected.isEmpty }
}

extension LabelSelector {
    /// The selector's requirements as canonical strings, sorted: `k=v` for a label or an `In` with one value,
    /// `k in (a,b)` (values sorted), `k notin (…)`, `k`, `!k`. Two selectors with the same list select the
    /// same objects by construction; netpol-analyzer compares rule selectors with representative peers this
    /// way (requirements equal, not "selects the same labels").
    public var canonicalRequirements: [String] {
        var out = matchLabels.map { "\($0.key)=\($0.value)" }
        for r in matchExpressions {
            let v = Array(Set(r.values)).sorted()
            switch r.op {
            case .in: out.append(v.count == 1 ? "\(r.key)=\(v[0])" : "\(r.key) in (\(v.joined(separator: ",")))")
            case .notIn: out.append("\(r.key) notin (\(v.joined(separator: ",")))")
            case .exists: out.append(r.key)
            case .doesNotExist: out.append("!\(r.key)")
            }
        }
        return Array(Set(out)).sorted()
    }
}

/// A pod that need not exist, inferred from one selector peer of a rule (netpol-analyzer's representative
/// peer): what the rule's selectors say about it, and nothing else.
struct RepresentativePeer {
    var namespaces: LabelSelector
    var pods: LabelSelector?
    /// The policy namespace when the peer had no `namespaceSelector` ("" otherwise): only rules of that
    /// namespace without a `namespaceSelector` match it by namespace.
    var namespace: String

    var key: [[String]] { [namespaces.canonicalRequirements, pods?.canonicalRequirements ?? []] }
}

extension PolicyEvaluator {
    /// A rule peer admitting every pod of the cluster: empty `namespaceSelector` with no or an empty
    /// `podSelector` (a peer with neither is invalid and refused by the parser).
    static func selectsEntireCluster(_ peer: NetworkPolicyPeer) -> Bool {
        guard case .pods(let ps, let ns) = peer, let ns, ns.isEmpty else { return false }
        return ps?.isEmpty ?? true
    }

    /// Whether rule peer `peer` of a policy in namespace `policyNamespace` matches representative `r`: its
    /// selectors must be empty (match anything) or have exactly `r`'s requirements; no selector on the rule's
    /// side means the policy namespace (rep. must come from that namespace) or any pod.
    static func ruleMatches(_ peer: NetworkPolicyPeer, policyNamespace: String, _ r: RepresentativePeer) -> Bool {
        guard case .pods(let ps, let ns) = peer else { return false }  // ipBlocks never match a pod peer
        if let ns {
            if !ns.isEmpty && ns.canonicalRequirements != r.namespaces.canonicalRequirements { return false }
        } else if r.namespace != policyNamespace {
            return false
        }
        guard let ps, !ps.isEmpty else { return true }
        return ps.canonicalRequirements == (r.pods?.canonicalRequirements ?? [])
    }

    /// The representative peers of the set: one per distinct selector pair of the NetworkPolicies' rule peers,
    /// except rules admitting the entire cluster (their other peers add nothing), and except peers selecting
    /// by labels only (no expressions) that an existing workload in a matching namespace matches: exposure to
    /// something that exists is what the connectivity list already shows.
    func representativePeers() -> [RepresentativePeer] {
        var out: [RepresentativePeer] = [], seen = Set<[[String]]>()
        for p in policies {
            for rule in p.ingress + p.egress where !rule.peers.contains(where: Self.selectsEntireCluster) {
                for peer in rule.peers {
                    guard case .pods(let ps, let ns) = peer else { continue }
                    let r = RepresentativePeer(
                        namespaces: ns ?? LabelSelector(matchLabels: [ClusterNamespace.nameLabel: p.namespace]),
                        pods: ps, namespace: ns == nil ? p.namespace : "")
                    if seen.insert(r.key).inserted { out.append(r) }
                }
            }
        }
        // Admin-tier and baseline-tier rules (X2): each `namespaces` / `pods` peer that does not name the entire
        // cluster, peer by peer (netpol-analyzer skips only the entire-cluster peer of such a rule: the tiers'
        // first match makes the rule's other peers matter on their own). Cluster-scoped: no policy namespace.
        for p in adminPolicies {
            for rule in p.ingress + p.egress {
                for peer in rule.peers {
                    let r: RepresentativePeer
                    switch peer {
                    case .selection(.namespaces(let ns)) where !ns.isEmpty:
                        r = RepresentativePeer(namespaces: ns, pods: nil, namespace: "")
                    case .selection(.pods(let ns, let ps)) where !(ns.isEmpty && ps.isEmpty):
                        r = RepresentativePeer(namespaces: ns, pods: ps, namespace: "")
                    default: continue
                    }
                    if seen.insert(r.key).inserted { out.append(r) }
                }
            }
        }
        return out.filter { r in
            guard let pods = r.pods, !pods.isEmpty, !r.namespaces.isEmpty,
                  pods.matchExpressions.isEmpty, r.namespaces.matchExpressions.isEmpty else { return true }
            return !workloads.contains { w in
                pods.matches(w.labels) && r.namespaces.matches(namespaces[w.namespace]?.labels ?? [ClusterNamespace.nameLabel: w.namespace])
            }
        }
    }

    /// What rule `id` of workload variant `w` admits: ingress named ports resolved against `w` (a name it does
    /// not have admits nothing), egress named ports kept as names (the destination does not exist yet).
    func exposureConnections(rule id: Int32, position k: Int, of w: Int, egress: Bool) -> ExposureConnections {
        let rule = rules[Int(id)]
        if !egress { return ExposureConnections(ports: ingressResolved[w][k]) }
        return ExposureConnections(ports: rule.fixed, named: rule.named.map { .init(proto: $0.proto, name: $0.name) })
    }

    /// Which rules admit which peers, computed once per report: a match depends on the rule and the peer, not
    /// on the workload (the workload loop then only looks up).
    struct ExposureTables {
        /// Per NetworkPolicy rule id: it admits the entire-cluster peer (`cluster`), every representative peer
        /// (`all`: no peers, or one naming the entire cluster), or the representatives listed (indexes into reps).
        var cluster: [Bool]
        var all: [Bool]
        var listed: [[Int32]]
        /// `AdminTiers.exposureMatches`; nil without admin tiers.
        var admin: [[AdminTiers.PeerMatch]]?
        /// Per admin-tier rule id: its most common match over the representatives, and those that differ
        /// from it (a workload's answer for every other representative is one evaluation).
        var adminCommon: [AdminTiers.PeerMatch] = []
        var adminDiffering: [[Int32]] = []
    }

    /// One workload variant's exposure in one direction: from the entire cluster, and from representative `i`,
    /// `overrides[i] ?? others`.
    struct VariantExposure {
        var cluster: ExposureConnections
        var others: ExposureConnections
        var overrides: [Int32: ExposureConnections]
    }

    func exposureTables(_ reps: [RepresentativePeer]) -> ExposureTables {
        let keys = reps.map(\.key)
        var byNs: [[String]: [Int32]] = [:], byPods: [[String]: [Int32]] = [:], byNamespace: [String: [Int32]] = [:]
        for (i, k) in keys.enumerated() {
            byNs[k[0], default: []].append(Int32(i))
            byPods[k[1], default: []].append(Int32(i))
            if !reps[i].namespace.isEmpty { byNamespace[reps[i].namespace, default: []].append(Int32(i)) }
        }
        var egressRule = [Bool?](repeating: nil, count: rules.count)
        for w in workloads.indices {
            for id in ingressRules[w] { egressRule[Int(id)] = false }
            for id in egressRules[w] { egressRule[Int(id)] = true }
        }
        var t = ExposureTables(cluster: [Bool](repeating: false, count: rules.count),
                               all: [Bool](repeating: false, count: rules.count),
                               listed: [[Int32]](repeating: [], count: rules.count),
                               admin: tiers?.exposureMatches(reps, mayHoldPod: mayHoldPod))
        for id in rules.indices {
            guard let egress = egressRule[id] else { continue }  // applies to no workload
            let rule = rules[id], p = policies[rule.policy]
            let peers = (egress ? p.egress : p.ingress)[rule.index].peers
            if peers.isEmpty || peers.contains(where: Self.selectsEntireCluster) {
                t.cluster[id] = true
                t.all[id] = true
                continue
            }
            // `ruleMatches` by index: the namespace side picks the candidates, the pod side filters them.
            var hit = Set<Int32>()
            for peer in peers {
                guard case .pods(let ps, let ns) = peer else { continue }  // ipBlocks never match a pod peer
                let pods: [String]? = (ps?.isEmpty ?? true) ? nil : ps!.canonicalRequirements
                let candidates: [Int32]
                if let ns, ns.isEmpty {
                    guard let pods else { t.all[id] = true; break }
                    candidates = byPods[pods] ?? []
                } else if let ns {
                    candidates = byNs[ns.canonicalRequirements] ?? []
                } else {
                    candidates = byNamespace[p.namespace] ?? []
                }
                hit.formUnion(pods.map { pc in candidates.filter { keys[Int($0)][1] == pc } } ?? candidates)
            }
            if !t.all[id] { t.listed[id] = hit.sorted() }
        }
        for column in t.admin ?? [] {
            var counts: [AdminTiers.PeerMatch: Int] = [:]
            for m in column.dropFirst() { counts[m, default: 0] += 1 }
            let common = counts.max { ($0.value, $0.key.rank) < ($1.value, $1.key.rank) }?.key ?? .no
            t.adminCommon.append(common)
            t.adminDiffering.append(column.dropFirst().indices.filter { column[$0] != common }.map { Int32($0 - 1) })
        }
        return t
    }

    /// Exposure of each workload variant, per direction: nil when nothing selects it there (unprotected: no
    /// NetworkPolicy isolates it and no admin-tier or baseline-tier rule applies to it in that direction), else
    /// what it admits from the entire cluster and from each representative peer (`perPeer`, aligned with `reps`).
    /// With admin tiers (X1-X4 in docs/exposure.md) each peer goes through the tiers as a connection does
    /// (T1-T3): admin rules by priority and order, then the NetworkPolicies when they isolate the workload, else
    /// the baseline rules, the peer matched by the rules' selectors as a representative peer is.
    func exposure(of w: Int, egress: Bool, representatives reps: [RepresentativePeer], tables t: ExposureTables)
        -> VariantExposure? {
        let isolated = egress ? egressIsolated[w] : ingressIsolated[w]
        let tiered = tiers.map { $0.applies(to: w, egress: egress) } ?? false
        guard isolated || tiered else { return nil }
        // What the NetworkPolicies admit from each peer (when one isolates w): the rules admitting it, ORed.
        var cluster = ExposureConnections(), base = ExposureConnections()
        var listed: [(ids: [Int32], conns: ExposureConnections)] = []
        for (k, id) in (isolated ? (egress ? egressRules[w] : ingressRules[w]) : []).enumerated() {
            let c = exposureConnections(rule: id, position: k, of: w, egress: egress)
            if t.cluster[Int(id)] { cluster = cluster.union(c) }
            if t.all[Int(id)] { base = base.union(c) } else if !t.listed[Int(id)].isEmpty { listed.append((t.listed[Int(id)], c)) }
        }
        var npOverrides: [Int32: ExposureConnections] = [:]
        for (ids, c) in listed { for i in ids { npOverrides[i] = (npOverrides[i] ?? base).union(c) } }
        guard tiered, let tiers, let matches = t.admin else {
            return VariantExposure(cluster: cluster, others: base, overrides: npOverrides)
        }
        // Through the tiers; peers alike on w's admin-tier rules and on the NetworkPolicies' answer are alike, so
        // only the representatives some rule of w singles out are evaluated one by one.
        struct Key: Hashable { var m: [AdminTiers.PeerMatch]; var np: ExposureConnections? }
        let ids = tiers.ids[w][egress ? 1 : 0].flatMap { $0 }
        var memo: [Key: ExposureConnections] = [:]
        func admitted(_ key: Key, column: Int) -> ExposureConnections {
            if let c = memo[key] { return c }
            let c = tiers.exposure(w, egress: egress, peer: column, matches: matches, networkPolicy: key.np,
                                   ports: containerPorts[w])
            memo[key] = c
            return c
        }
        func key(_ column: Int, _ np: ExposureConnections) -> Key {
            Key(m: ids.map { matches[Int($0)][column] }, np: isolated ? np : nil)
        }
        let whole = admitted(key(0, cluster), column: 0)
        var singled = Set(npOverrides.keys)
        for id in ids { singled.formUnion(t.adminDiffering[Int(id)]) }
        // Every representative not singled out: the common match of each rule (column of any such peer).
        let others: ExposureConnections
        if let i = reps.indices.first(where: { !singled.contains(Int32($0)) }) {
            others = admitted(Key(m: ids.map { t.adminCommon[Int($0)] }, np: isolated ? base : nil), column: i + 1)
        } else {
            others = ExposureConnections()
        }
        var overrides: [Int32: ExposureConnections] = [:]
        for i in singled { overrides[i] = admitted(key(Int(i) + 1, npOverrides[i] ?? base), column: Int(i) + 1) }
        return VariantExposure(cluster: whole, others: others, overrides: overrides)
    }

    /// X3: whether an admin-tier `networks` CIDR may hold the address of a pod that does not exist yet (T8: the
    /// CIDRs match cluster pods by IP): it overlaps the private address space pod networks are allocated from
    /// (RFC 1918, RFC 6598 shared space, IPv6 unique local) or holds a known pod's address.
    func mayHoldPod(_ c: CIDR) -> Bool {
        let r = c.range
        func overlaps(_ o: IPRange) -> Bool { o.contains(r.first) || o.contains(r.last) || r.contains(o.first) }
        if Self.podAddressSpace.contains(where: overlaps) { return true }
        return workloads.contains { $0.ips.contains { c.contains($0) } }
    }

    static let podAddressSpace: [IPRange] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]
        .compactMap { CIDR($0)?.range }
}

extension AdminTiers {
    /// Whether an admin-tier or baseline-tier rule applies to workload `w` in that direction (a policy selecting
    /// it with rules there): it is then protected, as netpol-analyzer counts it.
    func applies(to w: Int, egress: Bool) -> Bool {
        ids[w][egress ? 1 : 0].contains { !$0.isEmpty }
    }

    enum PeerMatch: Hashable {
        case no, maybe, yes
        var rank: Int { self == .no ? 0 : self == .maybe ? 1 : 2 }
    }

    /// `exposureMatch` of every rule against the entire-cluster peer (column 0) and each representative peer
    /// (column i + 1 for `reps[i]`): it depends on the rule and the peer only, not on the workload.
    func exposureMatches(_ reps: [RepresentativePeer], mayHoldPod: (CIDR) -> Bool) -> [[PeerMatch]] {
        let peers: [RepresentativePeer?] = [nil] + reps.map { $0 }
        return rules.indices.map { id in peers.map { exposureMatch(Int32(id), peer: $0, mayHoldPod: mayHoldPod) } }
    }

    /// X2: whether rule `id` (of direction `egress`) matches a pod that need not exist: the entire-cluster peer
    /// (`peer` nil: a pod about which nothing is known, matched only by a `namespaces: {}` or an all-empty `pods`
    /// peer) or representative `peer` (selectors empty or with exactly its requirements, as for NetworkPolicy
    /// rules). `networks` peers may match when a CIDR may hold a pod address (X3); `nodes` and `domainNames`
    /// never match a pod.
    func exposureMatch(_ id: Int32, peer r: RepresentativePeer?, mayHoldPod: (CIDR) -> Bool) -> PeerMatch {
        let rule = rules[Int(id)], p = policies[rule.policy], egress = rule.egress
        var out = PeerMatch.no
        func same(_ rule: LabelSelector, _ rep: LabelSelector?) -> Bool {
            rule.isEmpty || (rep.map { rule.canonicalRequirements == $0.canonicalRequirements } ?? false)
        }
        for peer in (egress ? p.egress : p.ingress)[rule.index].peers {
            switch peer {
            case .selection(.namespaces(let ns)):
                if r == nil ? ns.isEmpty : same(ns, r?.namespaces) { return .yes }
            case .selection(.pods(let ns, let ps)):
                if r == nil ? ns.isEmpty && ps.isEmpty : same(ns, r?.namespaces) && same(ps, r?.pods) { return .yes }
            case .networks(let cidrs):
                if cidrs.contains(where: mayHoldPod) { out = .maybe }
            case .nodes, .domainNames:
                break
            }
        }
        return out
    }

    /// X1: what workload `w` admits in one direction from a peer that need not exist (`peer` nil: the entire
    /// cluster), through the tiers (T1-T3) with `networkPolicy` the NetworkPolicies' answer when they isolate
    /// `w` (nil: the baseline tier decides what the admin tier leaves). An upper bound where a rule may or may
    /// not match (X3): a Deny that may match is skipped, an Allow that may match admits, a Pass that may match
    /// admits what the next tier does. Ingress named ports resolve against `w`'s `ports`; egress named ports stay
    /// names, each decided on its own (X4).
    /// `peer`: the column of `table` (`exposureMatches`): 0 the entire cluster, i + 1 representative i.
    func exposure(_ w: Int, egress: Bool, peer: Int, matches table: [[PeerMatch]], networkPolicy np: ExposureConnections?,
                  ports: [ContainerPort]) -> ExposureConnections {
        let d = egress ? 1 : 0
        let matches = ids[w][d].map { $0.map { table[Int($0)][peer] } }
        func conns(_ id: Int32) -> ConnectionSet { rules[Int(id)].connections(toPorts: egress ? nil : ports) }
        // Baseline tier: what it does not deny (a Pass there, CNP only, leaves it to the default allow).
        func baseline() -> ConnectionSet {
            var rest = ConnectionSet.all, allowed = ConnectionSet.none
            for (k, id) in ids[w][d][1].enumerated() where matches[1][k] != .no {
                let c = conns(id).intersection(rest)
                if rules[Int(id)].action == .deny {
                    if matches[1][k] == .yes { rest = rest.subtracting(c) }
                } else {
                    allowed.formUnion(c)
                    rest = rest.subtracting(c)
                }
            }
            return allowed.union(rest)
        }
        let lower = np?.ports ?? baseline()
        var rest = ConnectionSet.all, allowed = ConnectionSet.none
        for (k, id) in ids[w][d][0].enumerated() where matches[0][k] != .no {
            let c = conns(id).intersection(rest), sure = matches[0][k] == .yes
            if c.isEmpty { continue }
            switch rules[Int(id)].action {
            case .allow:
                allowed.formUnion(c)
                rest = rest.subtracting(c)
            case .deny:
                if sure { rest = rest.subtracting(c) }
            case .pass:
                allowed.formUnion(c.intersection(lower))
                rest = rest.subtracting(sure ? c : c.intersection(lower))
            }
            if rest.isEmpty { break }
        }
        allowed.formUnion(rest.intersection(lower))
        guard egress else { return ExposureConnections(ports: allowed) }

        // X4: each egress port name is one unknown port, decided by the first rule covering it (no ports, its
        // protocol's every port, or the name itself) in the same order.
        typealias Named = ExposureConnections.NamedPort
        func covers(_ id: Int32, _ n: Named) -> Bool {
            let r = rules[Int(id)]
            return r.fixed.isAll || (n.proto.map { r.fixed[$0].isFull } ?? false) || r.named.contains(n.name)
        }
        func lowerAdmits(_ n: Named) -> Bool {
            if let np {
                return np.ports.isAll || (n.proto.map { np.ports[$0].isFull } ?? false) || np.named.contains(n)
            }
            for (k, id) in ids[w][d][1].enumerated() where matches[1][k] != .no && covers(id, n) {
                if rules[Int(id)].action != .deny { return true }
                if matches[1][k] == .yes { return false }
            }
            return true
        }
        func admits(_ n: Named) -> Bool {
            for (k, id) in ids[w][d][0].enumerated() where matches[0][k] != .no && covers(id, n) {
                let sure = matches[0][k] == .yes
                switch rules[Int(id)].action {
                case .allow: return true
                case .deny: if sure { return false }
                case .pass: if lowerAdmits(n) { return true } else if sure { return false }
                }
            }
            return lowerAdmits(n)
        }
        var names = Set(np?.named ?? [])
        for list in ids[w][d] { for id in list { for n in rules[Int(id)].named { names.insert(Named(proto: nil, name: n)) } } }
        return ExposureConnections(ports: allowed, named: names.filter(admits).sorted())
    }
}

extension ConnectivityMap {
    /// The exposure report over this map's endpoints. An endpoint with several workload variants admits what
    /// any of them admits (exposure is an upper bound, unlike a connection, which must hold for all), and is
    /// unprotected if any variant is. A representative peer gets a line when what it is admitted differs from
    /// the entire-cluster answer: more (a rule naming it), or less (an admin-tier Deny naming it; `No
    /// Connections` when it takes back everything). Workloads with any exposure also list their external ranges
    /// (as netpol-analyzer does), both directions. Cilium policies are refused by the callers.
    public func exposure(includeExternal: Bool = true) -> ExposureReport {
        let ev = evaluator
        let reps = ev.representativePeers()
        let tables = ev.exposureTables(reps)
        var entries: [ExposureEntry] = [], unprotected: [ExposureReport.Unprotected] = []
        for (e, item) in endpoints.enumerated() {
            var exposed = false
            for egress in [true, false] {
                var cluster = ExposureConnections(), others = ExposureConnections()
                var variants: [PolicyEvaluator.VariantExposure] = []
                var open = false
                for v in item.variants {
                    guard let x = ev.exposure(of: v, egress: egress, representatives: reps, tables: tables)
                    else { open = true; continue }
                    cluster = cluster.union(x.cluster)
                    others = others.union(x.others)
                    variants.append(x)
                }
                var lines = 0
                if open {
                    unprotected.append(.init(workload: item.endpoint, egress: egress))
                    cluster = ExposureConnections(ports: .all)
                } else {
                    // Representative i admits, over the variants, the union of each one's answer for it.
                    let singled = Set(variants.flatMap(\.overrides.keys))
                    func value(_ i: Int32) -> ExposureConnections {
                        guard singled.contains(i) else { return others }
                        return variants.reduce(ExposureConnections()) { $0.union($1.overrides[i] ?? $1.others) }
                    }
                    let candidates = others == cluster ? singled.sorted() : reps.indices.map { Int32($0) }
                    for i in candidates {
                        let c = value(i), r = reps[Int(i)]
                        guard c != cluster else { continue }
                        entries.append(ExposureEntry(workload: item.endpoint, egress: egress,
                                                     peer: .selected(namespaces: r.namespaces, pods: r.pods), connections: c))
                        lines += 1
                    }
                }
                if !cluster.isEmpty {
                    entries.append(ExposureEntry(workload: item.endpoint, egress: egress, peer: .entireCluster, connections: cluster))
                }
                exposed = exposed || open || !cluster.isEmpty || lines > 0
            }
            guard exposed, includeExternal else { continue }
            for egress in [true, false] {
                for (r, c) in merged(endpoint: e, outbound: egress) where !c.isEmpty {
                    entries.append(ExposureEntry(workload: item.endpoint, egress: egress, peer: .external(r),
                                                 connections: ExposureConnections(ports: c)))
                }
            }
        }
        return ExposureReport(entries: entries, unprotected: unprotected)
    }
}
