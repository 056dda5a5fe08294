import FlowModel
import Inference
import Policy

/// `flowmap diff OLD NEW`: semantic connectivity diff of two policy sets, each over its own workloads, annotated
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
        /// `--since/--until`: the buckets of evidence read (whole buckets, `TimeWindow`).
        public var window = TimeWindow()
        public var evaluator = EvaluatorOptions()
        public var accept = PolicyInputs.Acceptance()
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
        /// Stderr lines: what either side's loading skipped or ignored.
        public var notes: [String] = []
    }

    static func load(_ side: Side, db: String?, accept: PolicyInputs.Acceptance,
                     window: TimeWindow = .all) throws -> PolicyInputs.Loaded {
        switch side {
        case .manifests(let paths): return try PolicyInputs.load(paths, accept: accept)
        case .generated:
            guard let db else { throw PolicyInputs.Failure(description: "--generated needs the store (--db)") }
            return PolicyInputs.Loaded(manifests: try PolicyInputs.generated(db: db, window: window), caveats: EvaluationCaveats(),
                                       notes: [])
        }
    }

    /// Exit-2 condition: neither side has a workload to evaluate connectivity over.
    public static let noWorkloads = """
        no workloads to compare connectivity over: neither OLD nor NEW has Pods or workload controllers \
        (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), and no --db was given. Add the cluster's \
        workloads to both sides (`kubectl get pods,namespaces -A -o yaml > workloads.yaml`) or pass --db \
        flowmap.db (observed workloads)
        """

    /// Each side is evaluated over its own workloads (its manifests' Pods and controllers, plus the store's), as
    /// netpol-analyzer's diff does.
    public static func run(_ o: Options) throws -> Result {
        let oldLoaded = try load(o.old, db: o.db, accept: o.accept, window: o.window)
        let newLoaded = try load(o.new, db: o.db, accept: o.accept, window: o.window)
        let old = oldLoaded.manifests, new = newLoaded.manifests
        let store = try o.db.map { try PolicyInputs.store($0, window: o.window) }
        let invOld = ClusterInventory.build(manifests: old, store: store?.data)
        let invNew = ClusterInventory.build(manifests: new, store: store?.data)
        if invOld.workloads.isEmpty && invNew.workloads.isEmpty {
            throw PolicyInputs.Failure(description: o.db == nil ? noWorkloads
                : "no workloads to compare connectivity over: neither OLD, NEW nor the store \(o.db!) has any; "
                  + "ingest flows first (`flowmap ingest`) or add `kubectl get pods,namespaces -A -o yaml` output to both sides")
        }
        let a = PolicyEvaluator(policies: old.policies, adminPolicies: old.adminPolicies, namespaces: invOld.namespaces,
                                workloads: invOld.workloads, options: o.evaluator, ciliumPolicies: old.ciliumPolicies,
                                nodes: invOld.nodes, services: invOld.services)
        let b = PolicyEvaluator(policies: new.policies, adminPolicies: new.adminPolicies, namespaces: invNew.namespaces,
                                workloads: invNew.workloads, options: o.evaluator, ciliumPolicies: new.ciliumPolicies,
                                nodes: invNew.nodes, services: invNew.services)
        var report = SemanticDiff.run(old: a, new: b, edges: store?.edges ?? [])
        report.caveats.skippedInvalid = oldLoaded.caveats.skippedInvalid + newLoaded.caveats.skippedInvalid
        report.caveats.ignoredKinds = oldLoaded.caveats.ignoredKinds.merging(newLoaded.caveats.ignoredKinds, uniquingKeysWith: +)
        let nodeWarnings = Set(old.nodePeerWarnings(invOld.nodes) + new.nodePeerWarnings(invNew.nodes)).sorted()
        return Result(report: report, old: old, new: new,
                      notes: oldLoaded.notes + newLoaded.notes + nodeWarnings.map { "warning: \($0)" })
    }
}
