import FlowMapView
import FlowModel
import FlowStore
import Inference

/// `flowmap summary`: top talkers, namespaces without policies, internet-facing ports, denied flows.
public enum Summary {
    public struct Options: Sendable {
        public var db: String
        /// Rows in the top-talkers table.
        public var top = 10
        public var inference = InferenceOptions()
        public init(db: String) { self.db = db }
    }

    public static func run(_ o: Options, policyCounts: [String: Int]? = nil) throws -> SummaryReport {
        let store = try Map.openExisting(o.db)
        let plan = Inferrer(options: o.inference).infer(try Generate.evidence(from: store))
        return SummaryReport.build(edges: try store.edges(), endpoints: try store.endpoints(), plan: plan,
                                   policyCounts: policyCounts, top: o.top)
    }
}
