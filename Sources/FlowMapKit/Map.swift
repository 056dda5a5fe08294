#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// `flowmap map`: the store's edges as a graph a person can read (DOT, Mermaid, or one self-contained HTML file).
public enum Map {
    /// What `map` draws (`--output`): the graph as `json` too (schema/map.schema.json).
    public enum Format: String, Sendable, CaseIterable {
        case dot, html, json, mermaid
    }

    public struct Options: Sendable {
        public var db: String
        /// `--since/--until`: the buckets of evidence read (whole buckets, `TimeWindow`).
        public var window = TimeWindow()
        public var format: Format = .html
        /// A file path, or `-` for stdout.
        public var out: String = "-"
        public var view = MapOptions()
        /// NetworkPolicy manifests (file or folder) to colour edges by verdict; nil: observed status only.
        public var policies: String?
        public var evaluator = EvaluatorOptions()
        public var accept = PolicyInputs.Acceptance()
        public init(db: String) { self.db = db }
    }

    public struct Report: Sendable {
        public var graph: MapGraph
        /// The rendered text when `out` is `-`.
        public var text: String?
        /// With `--policies`: what was skipped or ignored (stderr lines).
        public var policyNotes: [String] = []
        /// Policies read when `--policies` was given.
        public var policies: Int?
        /// With `--policies`: the check over the same edges (the map's colours are its verdicts).
        public var check: PolicyCheck.Report?
        public var caveats = EvaluationCaveats()
    }

    /// Reads the store and builds the graph.
    public static func graph(db: String, options: MapOptions = MapOptions(), verdicts: PolicyVerdicts? = nil,
                             window: TimeWindow = .all) throws -> MapGraph {
        let store = try openExisting(db, window: window)
        let edges = try store.edges(), endpoints = try store.endpoints()
        try NamespaceScope(options.namespaces).require(known: NamespaceScope.known(
            named: try store.namespaceLabels().keys,
            endpoints: endpoints + edges.flatMap { [$0.key.source, $0.key.destination] }))
        return MapBuilder.build(edges: edges, l7: try store.l7(), names: try store.names(),
                                endpoints: endpoints, verdicts: verdicts, options: options)
    }

    public static func render(_ g: MapGraph, format: Format) -> String {
        switch format {
        case .dot: return DOTRenderer.render(g)
        case .mermaid: return MermaidRenderer.render(g)
        case .html: return HTMLRenderer.render(g)
        case .json: return json(g)
        }
    }

    public static func run(_ o: Options) throws -> Report {
        var evaluated: MapPolicies.Result?
        if let p = o.policies {
            evaluated = try MapPolicies.evaluate(db: o.db, policiesPath: p, options: o.evaluator, accept: o.accept,
                                                 window: o.window)
        }
        let g = try graph(db: o.db, options: o.view, verdicts: evaluated?.verdicts, window: o.window)
        let text = render(g, format: o.format)
        var report = Report(graph: g, text: text, policyNotes: evaluated?.notes ?? [], policies: evaluated?.policies,
                            check: evaluated?.report, caveats: evaluated?.caveats ?? EvaluationCaveats())
        if o.out == "-" { return report }
        if let slash = o.out.lastIndex(of: "/"), slash != o.out.startIndex {
            try FileOutput.makeDirectories(String(o.out[..<slash]))
        }
        try FileOutput.write(o.out, text)
        report.text = nil
        return report
    }

    static func openExisting(_ db: String, window: TimeWindow = .all) throws -> FlowStore {
        try Generate.openExisting(db, window: window)
    }
}
