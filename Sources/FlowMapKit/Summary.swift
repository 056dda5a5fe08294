import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// `flowmap summary`: top talkers, namespaces without policies, internet-facing ports, denied flows.
public enum Summary {
    public struct Options: Sendable {
        public var db: String
        /// `--since/--until`: the buckets of evidence read (whole buckets, `TimeWindow`).
        public var window = TimeWindow()
        /// Rows in the top-talkers table.
        public var top = 10
        public var inference = InferenceOptions()
        /// NetworkPolicy manifests (file or folder): which namespaces have policies.
        public var policies: String?
        public init(db: String) { self.db = db }
    }

    public static func run(_ o: Options) throws -> (report: SummaryReport, policyIssues: [String]) {
        let store = try Map.openExisting(o.db, window: o.window)
        var policyCounts: [String: Int]?
        var issues: [String] = []
        if let p = o.policies {
            let set = try ManifestReader.read(paths: [p])
            var counts = [String: Int]()
            for pol in set.policies { counts[pol.namespace, default: 0] += 1 }
            policyCounts = counts
            issues = set.issues.map { "\($0)" }
        }
        let plan = Inferrer(options: o.inference).infer(try Generate.evidence(from: store))
        let report = SummaryReport.build(edges: try store.edges(), endpoints: try store.endpoints(),
                                         planned: Dictionary(uniqueKeysWithValues: plan.namespaces.map { ($0.name, $0.workloads.count) }),
                                         policyCounts: policyCounts, top: o.top)
        return (report, issues)
    }
}
