import FlowModel

/// Replays observed edges against a policy set: what the set allows, and which observed-allowed connections it
/// would deny (what would break).
public enum PolicyCheck {
    public struct Item: Sendable, Hashable {
        public var source: String
        public var destination: String
        public var proto: String
        public var port: Int
        public var flows: Int64
        public var firstSeen: String
        public var lastSeen: String
        /// Why it could not be decided (unresolved items only).
        public var note: String
        /// Policies isolating the source's egress and the destination's ingress (`namespace/name`, sorted;
        /// empty: that end is not isolated in that direction).
        public var sourceEgressPolicies: [String] = []
        public var destinationIngressPolicies: [String] = []
        /// The sides that deny it (`egress`, `ingress`); denied items only.
        public var deniedBy: [String] = []
        /// Inventory routes the connection used (`Kind namespace/name (rule)`, sorted), set by the caller that
        /// knows the inventory (`check`); empty when none.
        public var routes: [String] = []
    }

    /// One observed edge replayed against the policy set.
    public enum Verdict: Sendable, Hashable {
        case allowed
        /// Denied by the source's egress, the destination's ingress, or both.
        case denied(egress: Bool, ingress: Bool)
        /// An end is a workload the inventory does not know.
        case unresolved(Endpoint)
        /// NetworkPolicy does not cover the protocol (ICMP ...), or the edge has no verdict.
        case notCovered
    }

    public struct Report: Sendable {
        /// Observed-allowed connections (edges) and their flows that the policy set allows / denies.
        public var allowedConnections = 0
        public var allowedFlows: Int64 = 0
        public var deniedConnections = 0
        public var deniedFlows: Int64 = 0
        /// Observed-allowed connections that could not be evaluated (workload missing from the inventory).
        public var unresolvedConnections = 0
        public var unresolvedFlows: Int64 = 0
        /// Observed-denied connections (and their flows) that this set would allow.
        public var observedDeniedNowAllowed = 0
        public var nowAllowedFlows: Int64 = 0
        /// Edges whose protocol NetworkPolicy does not cover (ICMP ...), or with another outcome.
        public var skipped = 0
        /// What would break, most flows first.
        public var denied: [Item] = []
        public var unresolved: [Item] = []
        public var nowAllowed: [Item] = []

        public var breaks: Bool { deniedConnections > 0 }

        public init() {}
    }

    /// The verdict for one observed edge: the one evaluation path `check`, `map --policies` and `explain` share.
    /// `addresses` lists known addresses of reserved endpoints (kube-apiserver ...): such an edge is allowed only
    /// when every address is; an endpoint with several workload variants only when every variant is.
    /// `connections`: the addresses each node end of an edge showed (`ConnectionAddresses`): such an end stands for
    /// those only (issue 23).
    public static func verdict(_ k: EdgeKey, _ ev: PolicyEvaluator, addresses: [Endpoint: [String]] = [:],
                               connections: ConnectionAddresses? = nil) -> Verdict {
        guard k.proto.isPolicyProtocol, k.outcome != .other else { return .notCovered }
        return verdict(k, ev, source: peers(k.source, ev, addresses, on: k, side: 0, connections),
                       destination: peers(k.destination, ev, addresses, on: k, side: 1, connections))
    }

    /// `verdict` once the ends' peers are known (`peers(_:_:_:on:side:_:)` of edge `k`'s source and destination).
    static func verdict(_ k: EdgeKey, _ ev: PolicyEvaluator, source src: [EvalPeer], destination dst: [EvalPeer]) -> Verdict {
        guard k.proto.isPolicyProtocol, k.outcome != .other else { return .notCovered }
        if src.isEmpty { return .unresolved(k.source) }
        if dst.isEmpty { return .unresolved(k.destination) }
        var egress = false, ingress = false
        for s in src {
            for d in dst {
                guard let denied = ev.denial(from: s, to: d, proto: k.proto, port: Int(k.port)) else { continue }
                if denied.egress { egress = true }
                if denied.ingress { ingress = true }
            }
        }
        return egress || ingress ? .denied(egress: egress, ingress: ingress) : .allowed
    }

    /// Policies isolating an observed endpoint (all its variants) in one direction.
    public static func isolatingPolicies(_ ep: Endpoint, _ ev: PolicyEvaluator, egress: Bool) -> [String] {
        Set(ev.indexes(of: ep).flatMap { ev.isolatingPolicies(of: $0, egress: egress) }).sorted()
    }

    /// `l7`: the requests observed per edge; with Cilium policies, an allowed edge whose request some
    /// `rules.http` / `rules.dns` on its way would reject is reported as breaking, one item per request (CL3).
    public static func run(_ ev: PolicyEvaluator, edges: [ObservedEdge],
                           addresses: [Endpoint: [String]] = [:], connections: ConnectionAddresses? = nil,
                           l7: [EdgeKey: [L7Observation]] = [:]) -> Report {
        var r = Report()
        // Per distinct endpoint, not per edge: its name, its isolating policies and (when no edge can change them)
        // its peers, found with one lookup per end of an edge. Nearly every edge of a set that breaks much is an
        // item, and at 500,000 edges over 50,000 pods each lookup is a cache miss.
        var slotOf: [Endpoint: Int32] = [:]
        var ends: [End] = []
        func slot(_ ep: Endpoint) -> Int {
            if let i = slotOf[ep] { return Int(i) }
            slotOf[ep] = Int32(ends.count)
            ends.append(End(name: ep.description,
                            peers: connections != nil && peersDependOnEdge(ep, ev) ? nil : peers(ep, ev, addresses)))
            return ends.count - 1
        }
        func isolating(_ i: Int, _ ep: Endpoint, egress: Bool) -> [String] {
            if let known = egress ? ends[i].egressPolicies : ends[i].ingressPolicies { return known }
            let names = isolatingPolicies(ep, ev, egress: egress)
            if egress { ends[i].egressPolicies = names } else { ends[i].ingressPolicies = names }
            return names
        }
        // Per item list: the source and destination slots, for sorting on ranks instead of strings.
        var deniedEnds: [(Int32, Int32)] = [], unresolvedEnds: [(Int32, Int32)] = [], nowAllowedEnds: [(Int32, Int32)] = []
        for e in edges {
            let k = e.key
            guard k.proto.isPolicyProtocol, k.outcome != .other else {
                r.skipped += 1
                continue
            }
            let si = slot(k.source), di = slot(k.destination)
            let ends2 = (Int32(si), Int32(di))
            func makeItem() -> Item {
                Item(source: ends[si].name, destination: ends[di].name,
                     proto: k.proto.rawValue, port: Int(k.port), flows: e.stats.flows,
                     firstSeen: e.stats.firstSeen == .max ? "" : Timestamp.format(e.stats.firstSeen),
                     lastSeen: e.stats.lastSeen == .min ? "" : Timestamp.format(e.stats.lastSeen), note: "",
                     sourceEgressPolicies: isolating(si, k.source, egress: true),
                     destinationIngressPolicies: isolating(di, k.destination, egress: false))
            }
            let src = ends[si].peers ?? peers(k.source, ev, addresses, on: k, side: 0, connections)
            let dst = ends[di].peers ?? peers(k.destination, ev, addresses, on: k, side: 1, connections)
            switch (k.outcome, verdict(k, ev, source: src, destination: dst)) {
            case (_, .notCovered):
                r.skipped += 1
            case (.allowed, .unresolved(let ep)):
                r.unresolvedConnections += 1
                r.unresolvedFlows += e.stats.flows
                var i = makeItem()
                i.note = "\(ep) is not in the inventory"
                r.unresolved.append(i)
                unresolvedEnds.append(ends2)
            case (.allowed, .allowed):
                let rejected = rejectedRequests(k, ev, addresses: addresses, connections: connections, l7[k] ?? [])
                if rejected.isEmpty {
                    r.allowedConnections += 1
                    r.allowedFlows += e.stats.flows
                    break
                }
                r.deniedConnections += 1
                r.deniedFlows += e.stats.flows
                for (o, sides) in rejected {
                    var i = makeItem()
                    i.flows = o.stats.flows
                    if o.stats.lastSeen != .min { i.lastSeen = Timestamp.format(o.stats.lastSeen) }
                    if o.stats.firstSeen != .max { i.firstSeen = Timestamp.format(o.stats.firstSeen) }
                    switch o.request {
                    case .http(let m, let p): i.note = "HTTP \(m) \(p): rejected by rules.http"
                    case .dns(let q): i.note = "DNS query \(q): outside rules.dns"
                    }
                    i.deniedBy = sides
                    r.denied.append(i)
                    deniedEnds.append(ends2)
                }
            case (.allowed, .denied(let egress, let ingress)):
                r.deniedConnections += 1
                r.deniedFlows += e.stats.flows
                var i = makeItem()
                i.deniedBy = (egress ? ["egress"] : []) + (ingress ? ["ingress"] : [])
                r.denied.append(i)
                deniedEnds.append(ends2)
            case (.denied, .allowed):
                r.observedDeniedNowAllowed += 1
                r.nowAllowedFlows += e.stats.flows
                r.nowAllowed.append(makeItem())
                nowAllowedEnds.append(ends2)
            default:
                break
            }
        }
        // Most flows first, then source, destination and port ascending, ties in edge order (what a stable sort
        // on the strings gave); names compared once, as ranks, not in every comparison of 500,000 items.
        var rank = [Int32](repeating: 0, count: ends.count)
        let byName = ends.indices.sorted { ends[$0].name < ends[$1].name }
        for (n, i) in byName.enumerated() where n > 0 {
            rank[i] = rank[byName[n - 1]] + (ends[byName[n - 1]].name == ends[i].name ? 0 : 1)
        }
        func sorted(_ items: [Item], _ at: [(Int32, Int32)]) -> [Item] {
            let keys = items.indices.map { i in
                SortKey(flows: items[i].flows, source: rank[Int(at[i].0)], destination: rank[Int(at[i].1)],
                        port: Int32(items[i].port), index: Int32(i))
            }.sorted()
            return keys.map { items[Int($0.index)] }
        }
        r.denied = sorted(r.denied, deniedEnds)
        r.unresolved = sorted(r.unresolved, unresolvedEnds)
        r.nowAllowed = sorted(r.nowAllowed, nowAllowedEnds)
        return r
    }

    /// What `run` keeps per distinct endpoint.
    struct End {
        var name: String
        /// nil when they depend on the edge (a node end with recorded connection addresses).
        var peers: [EvalPeer]?
        var egressPolicies: [String]?
        var ingressPolicies: [String]?
    }

    /// An item's place in the report: most flows first, then source, destination, port, then edge order.
    struct SortKey: Comparable {
        var flows: Int64
        var source: Int32
        var destination: Int32
        var port: Int32
        var index: Int32

        static func < (a: SortKey, b: SortKey) -> Bool {
            if a.flows != b.flows { return a.flows > b.flows }
            if a.source != b.source { return a.source < b.source }
            if a.destination != b.destination { return a.destination < b.destination }
            if a.port != b.port { return a.port < b.port }
            return a.index < b.index
        }
    }

    /// Whether `peers` of `ep` can differ from edge to edge (it reads the connection's addresses): a workload
    /// with a host-network variant, and reserved ends (node entities; the rest are cheap to redo).
    static func peersDependOnEdge(_ ep: Endpoint, _ ev: PolicyEvaluator) -> Bool {
        switch ep.kind {
        case .workload: return ev.indexes(of: ep).contains { ev.workloads[$0].hostNetwork }
        case .external: return false
        case .reserved: return true
        }
    }

    /// The observed requests of an L4-allowed edge that an L7 rule on its way rejects, with the sides that
    /// reject them (`egress`, `ingress`). Only Cilium policies have L7 rules.
    static func rejectedRequests(_ k: EdgeKey, _ ev: PolicyEvaluator, addresses: [Endpoint: [String]],
                                 connections: ConnectionAddresses?, _ observed: [L7Observation])
        -> [(L7Observation, [String])] {
        guard let c = ev.cilium?.evaluator, !observed.isEmpty else { return [] }
        let src = peers(k.source, ev, addresses, on: k, side: 0, connections).map(CiliumPeer.init)
        let dst = peers(k.destination, ev, addresses, on: k, side: 1, connections).map(CiliumPeer.init)
        var out: [(L7Observation, [String])] = []
        for o in observed {
            var egress = false, ingress = false
            for s in src {
                for d in dst {
                    let (e, i) = c.rejects(from: s, to: d, proto: k.proto, port: Int(k.port), request: o.request)
                    egress = egress || e
                    ingress = ingress || i
                }
            }
            if egress || ingress { out.append((o, (egress ? ["egress"] : []) + (ingress ? ["ingress"] : []))) }
        }
        return out
    }

    /// The evaluator peers an observed endpoint stands for; empty when a workload is unknown. As end `side` (0:
    /// source) of edge `k`, a node end stands for the addresses that connection showed (`connections`, when
    /// recorded): a host-network workload for its variants on those addresses, `reserved:remote-node` for those
    /// addresses. A connection that showed none, or whose addresses were not recorded (before schema 13), stands
    /// for every address of the peer, as without `connections`: allowed only when each one is.
    static func peers(_ ep: Endpoint, _ ev: PolicyEvaluator, _ addresses: [Endpoint: [String]], on k: EdgeKey? = nil,
                      side: Int = 0, _ connections: ConnectionAddresses? = nil) -> [EvalPeer] {
        // Looked up only for a node end: most ends are pods, and this runs for both ends of every edge.
        func seen() -> Set<String>? {
            k.flatMap { connections?.addresses($0, side: side) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        switch ep.kind {
        case .workload:
            let all = ev.indexes(of: ep)
            guard all.contains(where: { ev.workloads[$0].hostNetwork }), let seen = seen() else {
                return all.map { .workload($0) }
            }
            let ips = Set(seen.compactMap { IPAddr($0) })
            let mine = all.filter { ev.workloads[$0].hostNetwork && ev.workloads[$0].ips.contains(where: ips.contains) }
            return (mine.isEmpty ? all : mine).map { .workload($0) }
        case .external:
            return [IPAddr(ep.name).map { .address($0) } ?? .unknownAddress]
        case .reserved:
            if ep.isReserved(.host) { return [.ownNode] }  // B5: the pod's own node
            // Cilium selects reserved identities by entity, not by address (CE1).
            if ev.cilium != nil, let e = CiliumEntity(rawValue: ep.name) {
                return [e == .world ? .unknownAddress : .reserved(e.rawValue)]
            }
            let node = ep.reservedEntity.map(ReservedEntity.nodes.contains) == true
            let known = ((node ? seen().map { Array($0) } : nil) ?? addresses[ep] ?? []).compactMap { IPAddr($0) }
            return known.isEmpty ? [.unknownAddress] : known.map { .address($0) }
        }
    }
}
