#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_exported import FlowMapView
import FlowModel
import FlowStore
import Inference

/// `flowmap map`: the store's edges as a graph a person can read (DOT, Mermaid, or one self-contained HTML file).
public enum Map {
    public enum Format: String, Sendable, CaseIterable {
        case dot, html, mermaid
    }

    public struct Options: Sendable {
        public var db: String
        public var format: Format = .html
        /// A file path, or `-` for stdout.
        public var out: String = "-"
        public var view = MapOptions()
        /// NetworkPolicy manifests (file or folder) to colour edges by verdict; nil: observed status only.
        public var policies: String?
        public init(db: String) { self.db = db }
    }

    public struct Report: Sendable {
        public var graph: MapGraph
        /// The rendered text when `out` is `-`.
        public var text: String?
        /// Rejected manifest documents when `--policies` was given.
        public var policyIssues: [String] = []
        /// Policies read when `--policies` was given.
        public var policies: Int?
    }

    /// Reads the store and builds the graph.
    public static func graph(db: String, options: MapOptions = MapOptions(),
                             verdicts: PolicyVerdicts? = nil) throws -> MapGraph {
        let store = try openExisting(db)
        return MapBuilder.build(edges: try store.edges(), l7: try store.l7(), names: try store.names(),
                                endpoints: try store.endpoints(), verdicts: verdicts, options: options)
    }

    public static func render(_ g: MapGraph, format: Format) -> String {
        switch format {
        case .dot: return DOTRenderer.render(g)
        case .mermaid: return MermaidRenderer.render(g)
        case .html: return HTMLRenderer.render(g)
        }
    }

    public static func run(_ o: Options) throws -> Report {
        var verdicts: PolicyVerdicts?
        var issues: [String] = []
        var count: Int?
        if let p = o.policies {
            let r = try MapPolicies.evaluate(store: try openExisting(o.db), policiesPath: p)
            verdicts = r.verdicts
            issues = r.issues
            count = r.policies
        }
        let g = try graph(db: o.db, options: o.view, verdicts: verdicts)
        let text = render(g, format: o.format)
        if o.out == "-" { return Report(graph: g, text: text, policyIssues: issues, policies: count) }
        if let slash = o.out.lastIndex(of: "/"), slash != o.out.startIndex {
            try FileOutput.makeDirectories(String(o.out[..<slash]))
        }
        try FileOutput.write(o.out, text)
        return Report(graph: g, text: nil, policyIssues: issues, policies: count)
    }

    static func openExisting(_ db: String) throws -> FlowStore {
        guard access(db, F_OK) == 0 else {
            throw Generate.Failure(description: "\(db): no such store; run `flowmap ingest --db \(db) FILES` first")
        }
        return try FlowStore(path: db)
    }
}
