import FlowMapView
import FlowModel
import FlowStore
import Policy

/// `--policies PATH` for `flowmap map`: colours every observed edge with the verdict `flowmap check` gives it
/// (the same `Check.Evaluation` and `PolicyCheck.verdict`: workloads from the manifests joined with the store's,
/// `reserved:host` the pod's own node, a reserved identity allowed only when every known address is, an
/// unknown address matched only by rules that match every address; only TCP, UDP and SCTP are decided, other
/// protocols keep their observed status), and adds the pairs of the store's workloads that a policy in play
/// lets through although no flow was seen.
public enum MapPolicies {
    public struct Result: Sendable {
        public var verdicts: PolicyVerdicts
        /// NetworkPolicies per namespace.
        public var policyCounts: [String: Int]
        public var policies: Int
        /// The check report over the same edges (its denied connections are the map's red edges).
        public var report: PolicyCheck.Report
        public var caveats: EvaluationCaveats
        /// Stderr lines: what was skipped or ignored.
        public var notes: [String]
    }

    public static func evaluate(db: String, policiesPath: String, options: EvaluatorOptions = .default,
                                accept: PolicyInputs.Acceptance = PolicyInputs.Acceptance(),
                                window: TimeWindow = .all) throws -> Result {
        let loaded = try PolicyInputs.load([policiesPath], accept: accept, requirePolicies: true)
        let set = loaded.manifests
        let store = try Map.openExisting(db, window: window)
        let (data, edges) = try PolicyInputs.store(store)
        try Check.requireEdges(edges, db: db, window: window)
        let evaluation = Check.Evaluation(manifests: set, data: data, edges: edges, options: options,
                                          dnsNames: try PolicyInputs.dnsNames(store))
        let ev = evaluation.evaluator
        var known = Set(data.endpoints.filter { $0.kind == .workload })
        for e in edges {
            for ep in [e.key.source, e.key.destination] where ep.kind == .workload { known.insert(ep) }
        }
        /// What holds for every variant pair.
        func connections(_ s: Endpoint, _ d: Endpoint) -> ConnectionSet {
            ev.connections(from: s, to: d) ?? .none
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
            guard !ev.indexes(of: ep).isEmpty else { return "" }
            let names = PolicyCheck.isolatingPolicies(ep, ev, egress: egress)
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
            let allowed: Bool
            switch evaluation.verdict(k) {
            case .allowed: allowed = true
            case .denied: allowed = false
            case .unresolved, .notCovered: continue
            }
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
                      policies: set.evaluatedPolicyCount, report: evaluation.report(), caveats: loaded.caveats,
                      notes: loaded.notes + evaluation.warnings)
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
