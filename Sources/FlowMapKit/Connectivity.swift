import FlowModel
import Policy

/// `flowmap connectivity`: what a policy set allows between every pair of known workloads and external ranges.
public enum Connectivity {
    public struct Options: Sendable {
        public var policies: [String]
        /// Optional store supplying more workloads.
        public var db: String?
        /// `--since/--until`: the buckets of evidence read (whole buckets, `TimeWindow`).
        public var window = TimeWindow()
        public var evaluator = EvaluatorOptions()
        public var accept = PolicyInputs.Acceptance()
        public var includeExternal = true
        /// `-n/--namespace`: only pairs with an end in these namespaces are listed.
        public var namespaces = NamespaceScope()
        /// `--exposure`: also what the policies admit from peers that need not exist yet (docs/exposure.md).
        public var exposure = false
        public init(policies: [String], db: String? = nil) {
            self.policies = policies
            self.db = db
        }
    }

    public struct Result: Sendable {
        public var entries: [ConnectivityEntry]
        public var manifests: ManifestSet
        public var workloads: Int
        public var caveats: EvaluationCaveats
        public var notes: [String]
        /// With `Options.exposure`.
        public var exposure: ExposureReport?

        public var context: ConnlistFormatter.Context {
            ConnlistFormatter.Context(policies: manifests.evaluatedPolicyCount, workloads: workloads, caveats: caveats)
        }
    }

    /// Throws when there are no workloads to evaluate pairs between (none in the manifests, none in the store).
    public static func run(_ o: Options) throws -> Result {
        let loaded = try PolicyInputs.load(o.policies, accept: o.accept)
        let m = loaded.manifests
        let store = try o.db.map { try PolicyInputs.store($0, window: o.window).data }
        let inv = ClusterInventory.build(manifests: m, store: store)
        try PolicyInputs.requireWorkloads(inv, o.policies, db: o.db)
        if !o.namespaces.isAll {
            try o.namespaces.require(known: NamespaceScope.known(named: inv.namespaces.map(\.name),
                                                                 endpoints: inv.workloads.map(\.endpoint)),
                                     place: o.db == nil ? "the policies path" : "the policies path or the store")
        }
        if o.exposure && !m.ciliumPolicies.isEmpty {
            // Exposure follows netpol-analyzer's semantics (representative peers per rule selector) through the
            // NetworkPolicy and admin tiers; Cilium's semantics are not modelled there, and a partial answer
            // would understate what is admitted.
            throw PolicyInputs.Failure(description: """
                --exposure evaluates NetworkPolicy and AdminNetworkPolicy/BaselineAdminNetworkPolicy/\
                ClusterNetworkPolicy sets only, and these policies include \(m.ciliumPolicies.count) Cilium \
                object(s): run it without them (docs/exposure.md), or drop --exposure
                """)
        }
        let ev = PolicyEvaluator(policies: m.policies, adminPolicies: m.adminPolicies, namespaces: inv.namespaces,
                                 workloads: inv.workloads, options: o.evaluator, ciliumPolicies: m.ciliumPolicies,
                                 nodes: inv.nodes, services: inv.services)
        func inScope(_ p: ConnectivityPeer) -> Bool {
            if case .endpoint(let e) = p { return o.namespaces.contains(e) }
            return false
        }
        let map = ConnectivityMap(ev)
        let entries = map.entries(includeExternal: o.includeExternal).filter {
            o.namespaces.isAll || inScope($0.source) || inScope($0.destination)
        }
        var exposure: ExposureReport?
        if o.exposure {
            let all = map.exposure(includeExternal: o.includeExternal)
            exposure = ExposureReport(entries: all.entries.filter { o.namespaces.contains($0.workload) },
                                      unprotected: all.unprotected.filter { o.namespaces.contains($0.workload) })
        }
        return Result(entries: entries, manifests: m, workloads: Set(inv.workloads.map(\.endpoint)).count,
                      caveats: loaded.caveats,
                      notes: loaded.notes + m.nodePeerWarnings(inv.nodes).map { "warning: \($0)" }, exposure: exposure)
    }
}
