#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import FlowMapKit

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw the observed flows: namespaces as groups, workloads as nodes, edges with ports and flow counts.",
        discussion: """
            --output: html (one self-contained file: pan, zoom, search, click a workload for its ingress and \
            egress with evidence), dot (Graphviz: dot -Tsvg map.dot > map.svg), mermaid, json (the graph, \
            schema/map.schema.json). --out names the file. External addresses are grouped by DNS name, else \
            into private addresses / public internet. With --policies, edges are coloured: allowed and observed / observed but denied / allowed but never \
            observed.
            """
    )

    @OptionGroup var store: StoreFlags

    @OptionGroup var time: WindowFlags

    @Option(name: [.short, .long], help: "What to draw.")
    var output: Map.Format = .html

    @Option(help: "Output file, or - for stdout (HTML goes to a terminal only with --out -).")
    var out: String?

    /// Renamed --output (docs/cli.md, "Changes"); kept hidden to say so.
    @Option(help: .hidden)
    var format: String?

    @OptionGroup var namespaces: NamespaceFlags

    @Option(help: "Leave out edges with fewer flows.")
    var minFlows: Int64 = 1

    @Option(help: "NetworkPolicy manifests (file or folder): colour edges by the verdicts `flowmap check` gives.")
    var policies: String?

    @OptionGroup var inputs: PolicyInputFlags
    @OptionGroup var evaluator: EvaluatorFlags

    func validate() throws {
        if let f = format {
            throw ValidationError("--format \(f): map's render kind is now --output (-o) \(f), and its file --out "
                                  + "FILE; --format is only ingest's input format")
        }
    }

    func run() throws {
        let f = output
        if out == nil && f == .html && isatty(1) == 1 {
            Console.error("flowmap map: error: not writing HTML to the terminal; pass --out map.html (then open it in "
                          + "a browser), or --out - to print it anyway")
            throw ExitCode(ExitStatus.cannotEvaluate.rawValue)
        }
        let out = self.out ?? "-"
        var o = Map.Options(db: store.db)
        o.window = try time.window
        o.format = f
        o.out = out
        o.view.namespaces = Set(namespaces.namespace)
        o.view.minFlows = minFlows
        o.policies = policies
        try evaluator.apply(inputs, to: &o)
        let r = try Map.run(o)
        for line in r.policyNotes { Console.error(line) }
        if let t = r.text {
            if f == .json { Console.result(t, .json) } else { Console.document(t) }
        } else {
            let workloads = r.graph.nodes.filter { $0.kind == .workload }.count
            var line = "wrote \(out): \(workloads) workloads, \(r.graph.nodes.count) nodes, \(r.graph.edges.count) edges"
            if let n = r.policies {
                let by = Dictionary(grouping: r.graph.edges, by: \.status).mapValues(\.count)
                line += " (\(n) policies: \(by[.allowedObserved] ?? 0) allowed and observed, "
                    + "\(by[.observedDenied] ?? 0) observed but denied, \(by[.allowedUnobserved] ?? 0) allowed but unused)"
                    + r.caveats.suffix
            }
            Console.out(line)
        }
        if let c = r.check, policies != nil {
            Console.error("policies: \(c.deniedConnections) observed connection(s) would break, "
                          + "\(c.allowedConnections) stay allowed (the verdicts of `flowmap check`)\(r.caveats.suffix)")
        }
        for n in r.graph.notes { Console.error("note: \(n)") }
        if f == .mermaid && r.graph.edges.count > MermaidRenderer.defaultMaxEdges {
            Console.error("note: \(r.graph.edges.count) edges; Mermaid renders at most "
                          + "\(MermaidRenderer.defaultMaxEdges) unless its maxEdges is raised (or use --namespace, dot, html)")
        }
        if r.check?.breaks == true { throw ExitCode(ExitStatus.finding.rawValue) }
    }
}
