import FlowModel
import Policy

/// `flowmap connectivity`: what a policy set allows between every pair of known workloads and external ranges.
public enum Connectivity {
    public struct Options: Sendable {
        public var policies: [String]
        /// Optional store supplying more workloads.
        public var db: String?
        public var evaluator = EvaluatorOptions()
        public var includeExternal = true
        public init(policies: [String], db: String? = nil) {
            self.policies = policies
            self.db = db
        }
    }

    public struct Result: Sendable {
        public var entries: [ConnectivityEntry]
        public var manifests: ManifestSet
        public var workloads: Int
    }

    public static func run(_ o: Options) throws -> Result {
        let m = try PolicyInputs.manifests(o.policies)
        let store = try o.db.map { try PolicyInputs.store($0).data }
        let inv = ClusterInventory.build(manifests: m, store: store)
        let ev = PolicyEvaluator(policies: m.policies, namespaces: inv.namespaces, workloads: inv.workloads,
                                 options: o.evaluator)
        let entries = ConnectivityMap(ev).entries(includeExternal: o.includeExternal)
        return Result(entries: entries, manifests: m, workloads: Set(inv.workloads.map(\.endpoint)).count)
    }
}
