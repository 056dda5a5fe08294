import FlowModel
import Policy

/// `flowmap diff OLD NEW`: semantic connectivity diff of two policy sets over the known workloads, annotated
/// with the store's evidence; optionally a structural per-policy diff.
public enum Diff {
    public enum Side: Sendable {
        case manifests([String])
        /// The set `flowmap generate` would write from the store.
        case generated
    }

    public struct Options: Sendable {
        public var old: Side
        public var new: Side
        public var db: String?
        public var evaluator = EvaluatorOptions()
        public init(old: Side, new: Side, db: String? = nil) {
            self.old = old
            self.new = new
            self.db = db
        }
    }

    public struct Result: Sendable {
        public var report: SemanticDiff.Report
        public var old: ManifestSet
        public var new: ManifestSet
    }

    static func load(_ side: Side, db: String?) throws -> ManifestSet {
        switch side {
        case .manifests(let paths): return try PolicyInputs.manifests(paths)
        case .generated:
            guard let db else { throw PolicyInputs.Failure(description: "--generated needs the store (--db)") }
            return try PolicyInputs.generated(db: db)
        }
    }

    public static func run(_ o: Options) throws -> Result {
        let old = try load(o.old, db: o.db), new = try load(o.new, db: o.db)
        let store = try o.db.map { try PolicyInputs.store($0) }
        var both = ManifestSet()
        both.merge(old)
        both.merge(new)
        let inv = ClusterInventory.build(manifests: both, store: store?.data)
        let a = PolicyEvaluator(policies: old.policies, namespaces: inv.namespaces, workloads: inv.workloads,
                                options: o.evaluator)
        let b = PolicyEvaluator(policies: new.policies, namespaces: inv.namespaces, workloads: inv.workloads,
                                options: o.evaluator)
        return Result(report: SemanticDiff.run(old: a, new: b, edges: store?.edges ?? []), old: old, new: new)
    }
}
