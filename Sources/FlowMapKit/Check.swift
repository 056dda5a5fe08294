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
        let inv = ClusterInventory.build(manifests: m, store: data)
        let ev = PolicyEvaluator(policies: m.policies, namespaces: inv.namespaces, workloads: inv.workloads,
                                 options: o.evaluator)
        let report = PolicyCheck.run(ev, edges: edges, addresses: data.addresses)
        return Result(report: report, manifests: m, policies: m.policies.count, workloads: inv.workloads.count)
    }
}
