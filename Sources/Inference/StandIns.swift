import FlowModel

/// Observations that stand for a connection's real ends, resolved before inference (README "Identity"):
/// - a *label identity* (`Endpoint.labelIdentityKind`: a Hubble endpoint with labels and a namespace but no pod
///   name, as proxy legs report) is the workload those labels select: the one known workload of the namespace
///   with a pod carrying every one of them. None or several: a Deployment named by its `app` label, with a warning;
/// - a `reserved:remote-node` or `reserved:host` end of an allowed edge whose other end is a workload is the far
///   end of a pod-to-pod connection when that workload has the same (protocol, port) connection with a workload
///   in the same role (a cross-node connection seen at the receiving node names the source by its node): it joins
///   that connection and makes no rule of its own (no node ipBlock, no `fromEntities: remote-node`).
enum StandIns {
    static func resolve(_ ev: Evidence) -> (evidence: Evidence, warnings: [PlanWarning]) {
        var warnings: [PlanWarning] = []
        // 1. Label identities -> workloads.
        var standIns = Set<Endpoint>()
        for e in ev.edges {
            for ep in [e.key.source, e.key.destination] where ep.workloadKind == Endpoint.labelIdentityKind {
                standIns.insert(ep)
            }
        }
        var mapped = [Endpoint: Endpoint]()
        let candidates = LabelIdentities.matches(of: standIns.sorted(), labelSets: ev.labelSets)
        for s in standIns.sorted() {
            let matches = candidates[s] ?? []
            if matches.count == 1 {
                mapped[s] = matches[0]
            } else {
                mapped[s] = .workload(s.namespace, s.name, kind: "Deployment")  // as named before this rule
                warnings.append(.unresolvedLabelIdentity(s, matches: matches))
            }
        }
        var out = ev
        if !mapped.isEmpty {
            func m(_ ep: Endpoint) -> Endpoint { mapped[ep] ?? ep }
            func m(_ k: EdgeKey) -> EdgeKey {
                EdgeKey(source: m(k.source), destination: m(k.destination), proto: k.proto, port: k.port,
                        outcome: k.outcome)
            }
            var edges = [EdgeKey: EdgeStats]()
            for e in ev.edges { edges[m(e.key), default: EdgeStats()].merge(e.stats) }
            out.edges = edges.map { ObservedEdge(key: $0.key, stats: $0.value) }.sorted { $0.key < $1.key }
            var l7 = [EdgeKey: [L7Observation]]()
            for (k, v) in ev.l7 { l7[m(k), default: []] += v }
            out.l7 = l7
            out.connectionAddresses = ev.connectionAddresses?.mapped(m)
            for (s, w) in mapped {
                if w.workloadKind == "Deployment" && w.name == s.name {
                    out.labelSets[w, default: []] += ev.labelSets[s] ?? []
                }
                out.labelSets[s] = nil
            }
        }
        // 2. Node stand-ins joining a pod-to-pod connection.
        guard out.edges.contains(where: { e in
            [e.key.source, e.key.destination].contains { $0.reservedEntity.map(ReservedEntity.nodes.contains) == true }
        }) else { return (out, warnings) }
        struct SideKey: Hashable {
            var ingress: Bool, workload: Endpoint, proto: Proto, port: UInt16
        }
        var podPorts = Set<SideKey>()  // workloads with a pod-to-pod connection on (proto, port), by side
        func key(_ side: String, _ ep: Endpoint, _ k: EdgeKey) -> SideKey {
            SideKey(ingress: side == "in", workload: ep, proto: k.proto, port: k.port)
        }
        for e in out.edges where e.key.outcome == .allowed && e.key.source.kind == .workload
            && e.key.destination.kind == .workload {
            podPorts.insert(key("in", e.key.destination, e.key))
            podPorts.insert(key("out", e.key.source, e.key))
        }
        var joined: [EdgeKey] = []
        out.edges = out.edges.filter { e in
            guard e.key.outcome == .allowed else { return true }
            let k = e.key
            let far = (k.source.reservedEntity.map(ReservedEntity.nodes.contains) == true
                       && k.destination.kind == .workload && podPorts.contains(key("in", k.destination, k)))
                || (k.destination.reservedEntity.map(ReservedEntity.nodes.contains) == true
                    && k.source.kind == .workload && podPorts.contains(key("out", k.source, k)))
            if far { joined.append(k) }
            return !far
        }
        for k in joined {
            warnings.append(.joinedPodConnection(source: k.source, destination: k.destination, proto: k.proto,
                                                 port: k.port))
        }
        return (out, warnings)
    }
}
