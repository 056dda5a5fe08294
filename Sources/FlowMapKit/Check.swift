import FlowModel
import Policy

/// `flowmap check`: replay the store's observed edges against a policy set.
public enum Check {
    public struct Options: Sendable {
        public var policies: [String]
        public var db: String
        public var evaluator = EvaluatorOptions()
        public init(policies: [String], db: String) {
            self.policies = policies
            self.db = db
        }
    }

    public struct Result: Sendable {
        public var report: PolicyCheck.Report
        public var manifests: ManifestSet
        public var policies: Int
        public var workloads: Int
    }

    public static func run(_ o: Options) throws -> Result {
        let m = try PolicyInputs.manifests(o.policies)
        let (data, edges) = try PolicyInputs.store(o.db)
        return evaluate(m, store: data, edges: edges, options: o.evaluator)
    }

    /// The evaluation itself, shared with `generate`'s self-check: `edges` replayed against `m` over the
    /// workloads of `m` and the store.
    static func evaluate(_ m: ManifestSet, store data: ClusterInventory.StoreData, edges: [ObservedEdge],
                         options: EvaluatorOptions) -> Result {
        let inv = ClusterInventory.build(manifests: m, store: data)
        let ev = PolicyEvaluator(policies: m.policies, namespaces: inv.namespaces, workloads: inv.workloads,
                                 options: options)
        let report = PolicyCheck.run(ev, edges: edges, addresses: data.addresses)
        return Result(report: report, manifests: m, policies: m.policies.count, workloads: inv.workloads.count)
    }
}
