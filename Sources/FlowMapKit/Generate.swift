#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowModel
import FlowStore
import Inference
import Policy

/// `flowmap generate`: store -> inference -> YAML files.
public enum Generate {
    public struct Options: Sendable {
        public var db: String
        /// A directory, or `-` for stdout.
        public var out: String
        public var inference = InferenceOptions()
        public var emit = EmitOptions()
        public init(db: String, out: String) {
            self.db = db
            self.out = out
        }
    }

    public struct Report: Sendable {
        public var plan: PolicyPlan
        /// Files written (relative to the output directory), or empty for stdout.
        public var files: [String]
        /// The YAML stream when `out` is `-`.
        public var stream: String?
        public var policies: Int { plan.namespaces.count + plan.workloadCount }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the store's evidence.
    public static func evidence(from store: FlowStore) throws -> Evidence {
        Evidence(edges: try store.edges(), l7: try store.l7(), labelSets: try store.labelSets(),
                 namespaceLabels: try store.namespaceLabels(), names: try store.names(),
                 addresses: try store.addresses())
    }

    public static func plan(db: String, options: InferenceOptions) throws -> PolicyPlan {
        guard access(db, F_OK) == 0 else {
            throw Failure(description: "\(db): no such store; run `flowmap ingest --db \(db) FILES` first")
        }
        let store = try FlowStore(path: db)
        return Inferrer(options: options).infer(try evidence(from: store))
    }

    public static func run(_ o: Options) throws -> Report {
        let plan = try plan(db: o.db, options: o.inference)
        let emitter = NetworkPolicyEmitter(options: o.emit)
        if o.out == "-" {
            return Report(plan: plan, files: [], stream: emitter.stream(for: plan))
        }
        let files = emitter.files(for: plan)
        try FileOutput.replaceGenerated(in: o.out, with: files)
        return Report(plan: plan, files: files.map(\.name), stream: nil)
    }
}
