import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// `flowmap summary`: top talkers, namespaces without policies, internet-facing ports, denied flows.
public enum Summary {
    public struct Options: Sendable {
        public var db: String
        /// Rows in the top-talkers table.
        public var top = 10
        public var inference = InferenceOptions()
        /// NetworkPolicy manifests (file or folder): which namespaces have policies.
        public var policies: String?
        /// Only edges seen in this window are counted.
        public var window = EvidenceWindow()
        public init(db: String) { self.db = db }
    }

    public static func run(_ o: Options) throws -> (report: SummaryReport, policyIssues: [String]) {
        let store = try Map.openExisting(o.db)
        var policyCounts: [String: Int]?
        var issues: [String] = []
        if let p = o.policies {
            let set = try ManifestReader.read(paths: [p])
            var counts = [String: Int]()
            for pol in set.policies { counts[pol.namespace, default: 0] += 1 }
            policyCounts = counts
            issues = set.issues.map { "\($0)" }
        }
        var inference = o.inference
        inference.since = o.window.since
        inference.until = o.window.until
        let plan = Inferrer(options: inference).infer(try Generate.evidence(from: store))
        let report = SummaryReport.build(edges: o.window.filter(try store.edges()), endpoints: try store.endpoints(), plan: plan,
                                         policyCounts: policyCounts, top: o.top)
        return (report, issues)
    }
}
