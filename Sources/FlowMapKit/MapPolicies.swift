import FlowMapView
import FlowModel
import FlowStore
import Policy

/// `--policies PATH` for `flowmap map` and `flowmap summary`: reads NetworkPolicy manifests and asks the Policy
/// evaluator about every observed edge and every pair of known workloads.
///
/// The workloads are the store's (labels from its label sets; a workload the store has no labels for takes them
/// from a pod or controller in the manifests, if any). Peers that are not pods: `reserved:host` is the pod's own
/// node (always allowed); an external address, or a reserved identity with exactly one known address, is that
/// address; anything else (`world` without an address ...) is an unknown address, matched only by rules that
/// match every address. Only TCP, UDP and SCTP are decided; other protocols keep their observed status.
public enum MapPolicies {
    public struct Result: Sendable {
        public var verdicts: PolicyVerdicts
        /// NetworkPolicies per namespace.
        public var policyCounts: [String: Int]
        public var policies: Int
        /// Rejected manifest documents, `file:document: message`.
        public var issues: [String]
    }

    public static func evaluate(store: FlowStore, policiesPath: String,
                                options: EvaluatorOptions = .default) throws -> Result {
        let set = try ManifestReader.read(paths: [policiesPath])
        let edges = try store.edges()
        let labelSets = try store.labelSets()
        let addresses = try store.addresses()
        var manifestWorkloads = [Endpoint: [Workload]]()
        for w in WorkloadBuilder.workloads(from: set) { manifestWorkloads[w.endpoint, default: []].append(w) }

        var known = Set(try store.endpoints().filter { $0.kind == .workload })
        for e in edges {
            for ep in [e.key.source, e.key.destination] where ep.kind == .workload { known.insert(ep) }
        }
        var workloads: [Workload] = []
        for ep in known.sorted() {
            let ips = (addresses[ep] ?? []).compactMap(IPAddr.init)
            if let sets = labelSets[ep], !sets.isEmpty {
                for l in sets { workloads.append(Workload(endpoint: ep, labels: l, ips: ips)) }
            } else if let ws = manifestWorkloads[ep] {
                workloads += ws
            } else {
                workloads.append(Workload(endpoint: ep, labels: [:], ips: ips))
            }
        }
        var namespaces = [String: ClusterNamespace]()
        for (n, l) in try store.namespaceLabels() { namespaces[n] = ClusterNamespace(name: n, labels: l) }
        for (n, ns) in set.namespaces { namespaces[n] = ns }
        let ev = PolicyEvaluator(policies: set.policies, namespaces: namespaces.keys.sorted().map { namespaces[$0]! },
                                 workloads: workloads, options: options)

        var peerCache = [Endpoint: [EvalPeer]]()
        func peers(_ ep: Endpoint) -> [EvalPeer] {
            if let p = peerCache[ep] { return p }
            let p = uncachedPeers(ep)
            peerCache[ep] = p
            return p
        }
        func uncachedPeers(_ ep: Endpoint) -> [EvalPeer] {
            switch ep.kind {
            case .workload: return ev.indexes(of: ep).map { .workload($0) }
            case .external: return [IPAddr(ep.name).map { .address($0) } ?? .unknownAddress]
            case .reserved:
                if ep.name == "host" { return [.ownNode] }
                let a = (addresses[ep] ?? []).compactMap(IPAddr.init)
                return [a.count == 1 ? .address(a[0]) : .unknownAddress]
            }
        }
        /// What holds for every variant pair.
        func connections(_ s: Endpoint, _ d: Endpoint) -> ConnectionSet {
            var c = ConnectionSet.all
            for a in peers(s) { for b in peers(d) { c = c.intersection(ev.connections(from: a, to: b)) } }
            return c
        }
        func policyNames(_ idx: [Int]) -> [String] {
            Set(idx.map { "\(ev.policies[$0].namespace)/\(ev.policies[$0].name)" }).sorted()
        }
        var isolationCache = [String: String]()
        func isolation(_ ep: Endpoint, egress: Bool) -> String {
            let ck = "\(egress)\u{1}\(ep.key)"
            if let c = isolationCache[ck] { return c }
            let c = uncachedIsolation(ep, egress: egress)
            isolationCache[ck] = c
            return c
        }
        func uncachedIsolation(_ ep: Endpoint, egress: Bool) -> String {
            let idx = ev.indexes(of: ep)
            guard !idx.isEmpty else { return "" }
            let names = Set(idx.flatMap { policyNames(egress ? ev.egressPolicies[$0] : ev.ingressPolicies[$0]) }).sorted()
            let dir = egress ? "egress" : "ingress"
            return names.isEmpty ? "\(ep.name) \(dir): not isolated"
                : "\(ep.name) \(dir): " + names.prefix(4).joined(separator: ", ") + (names.count > 4 ? " …" : "")
        }
        func note(_ s: Endpoint, _ d: Endpoint) -> String {
            [isolation(s, egress: true), isolation(d, egress: false)].filter { !$0.isEmpty }.joined(separator: "; ")
        }

        var decisions = [EdgeKey: PolicyDecision]()
        var observedPairs = Set<[Endpoint]>()
        for e in edges where e.key.outcome == .allowed {
            let k = e.key
            observedPairs.insert([k.source, k.destination])
            guard k.proto.isPolicyProtocol else { continue }
            let allowed = connections(k.source, k.destination).contains(k.proto, Int(k.port))
            decisions[k] = PolicyDecision(allowed: allowed, note: note(k.source, k.destination))
        }

        // Allowed but never observed: pairs of known workloads where a policy is in play (the source's egress or
        // the destination's ingress is isolated) and still lets something through.
        var unobserved: [AllowedPair] = []
        let eps = known.sorted()
        let egressIsolated = Set(eps.filter { ep in ev.indexes(of: ep).contains { ev.isEgressIsolated($0) } })
        let ingressIsolated = Set(eps.filter { ep in ev.indexes(of: ep).contains { ev.isIngressIsolated($0) } })
        for s in eps {
            for d in eps where s != d && (egressIsolated.contains(s) || ingressIsolated.contains(d)) {
                guard !observedPairs.contains([s, d]) else { continue }
                let c = connections(s, d)
                if c.isEmpty { continue }
                unobserved.append(AllowedPair(source: s, destination: d, ports: portTexts(c), note: note(s, d)))
            }
        }
        var counts = [String: Int]()
        for p in set.policies { counts[p.namespace, default: 0] += 1 }
        return Result(verdicts: PolicyVerdicts(decisions: decisions, unobserved: unobserved), policyCounts: counts,
                      policies: set.policies.count, issues: set.issues.map { "\($0)" })
    }

    /// `any`, or one entry per protocol: `TCP 80,8080`, `UDP any`.
    static func portTexts(_ c: ConnectionSet) -> [String] {
        if c.isAll { return ["any"] }
        return ConnectionSet.protocols.compactMap { p in
            let s = c[p]
            return s.isEmpty ? nil : "\(p.rawValue) \(s.isFull ? "any" : s.description)"
        }
    }
}
