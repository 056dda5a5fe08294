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
    public struct NamedPort: Sendable, Hashable, Comparable {
        public var proto: Proto
        public var name: String
        public init(proto: Proto, name: String) {
            self.proto = proto
            self.name = name
        }
        public static func < (a: NamedPort, b: NamedPort) -> Bool { (a.proto, a.name) < (b.proto, b.name) }
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

    /// `TCP 80,UDP 53`, `TCP http`, `TCP 8080,TCP http`, `All Connections`.
    public var description: String {
        if named.isEmpty { return ports.description }
        let names = named.map { "\($0.proto.rawValue) \($0.name)" }.joined(separator: ",")
        return ports.isEmpty ? names : "\(ports),\(names)"
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

    /// Exposure of each workload variant, per direction: nil when no policy selects it there (unprotected),
    /// else what it admits from the entire cluster and from each representative peer, where that is more.
    func exposure(of w: Int, egress: Bool, representatives reps: [RepresentativePeer])
        -> (cluster: ExposureConnections, selected: [(RepresentativePeer, ExposureConnections)])? {
        guard egress ? egressIsolated[w] : ingressIsolated[w] else { return nil }
        let list = egress ? egressRules[w] : ingressRules[w]
        var cluster = ExposureConnections()
        var perRule: [(peers: [NetworkPolicyPeer], namespace: String, conns: ExposureConnections)] = []
        for (k, id) in list.enumerated() {
            let rule = rules[Int(id)], p = policies[rule.policy]
            let peers = (egress ? p.egress : p.ingress)[rule.index].peers
            let c = exposureConnections(rule: id, position: k, of: w, egress: egress)
            if peers.isEmpty || peers.contains(where: Self.selectsEntireCluster) { cluster = cluster.union(c) }
            perRule.append((peers, p.namespace, c))
        }
        var selected: [(RepresentativePeer, ExposureConnections)] = []
        for r in reps {
            var c = ExposureConnections()
            for rule in perRule where rule.peers.isEmpty || rule.peers.contains(where: {
                Self.ruleMatches($0, policyNamespace: rule.namespace, r)
            }) {
                c = c.union(rule.conns)
            }
            // Every representative gets at least the entire-cluster answer; only more is worth a line.
            if !c.isEmpty && c != cluster { selected.append((r, c)) }
        }
        return (cluster, selected)
    }
}

extension ConnectivityMap {
    /// The exposure report over this map's endpoints. An endpoint with several workload variants admits what
    /// any of them admits (exposure is an upper bound, unlike a connection, which must hold for all), and is
    /// unprotected if any variant is. Workloads with any exposure also list their external ranges (as
    /// netpol-analyzer does), both directions. Only NetworkPolicy sets: callers refuse admin tiers and Cilium.
    public func exposure(includeExternal: Bool = true) -> ExposureReport {
        let ev = evaluator
        let reps = ev.representativePeers()
        var entries: [ExposureEntry] = [], unprotected: [ExposureReport.Unprotected] = []
        for (e, item) in endpoints.enumerated() {
            var exposed = false
            for egress in [true, false] {
                var cluster = ExposureConnections()
                var byPeer: [ExposurePeer: ExposureConnections] = [:]
                var open = false
                for v in item.variants {
                    guard let x = ev.exposure(of: v, egress: egress, representatives: reps) else { open = true; continue }
                    cluster = cluster.union(x.cluster)
                    for (r, c) in x.selected {
                        let peer = ExposurePeer.selected(namespaces: r.namespaces, pods: r.pods)
                        byPeer[peer] = (byPeer[peer] ?? ExposureConnections()).union(c)
                    }
                }
                if open {
                    unprotected.append(.init(workload: item.endpoint, egress: egress))
                    cluster = ExposureConnections(ports: .all)
                    byPeer = [:]
                }
                if !cluster.isEmpty {
                    entries.append(ExposureEntry(workload: item.endpoint, egress: egress, peer: .entireCluster, connections: cluster))
                }
                for (peer, c) in byPeer where c != cluster {
                    entries.append(ExposureEntry(workload: item.endpoint, egress: egress, peer: peer, connections: c))
                }
                exposed = exposed || open || !cluster.isEmpty || !byPeer.isEmpty
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
