import ArgumentParser
import FlowMapKit

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw the observed flows: namespaces as groups, workloads as nodes, edges with ports and flow counts.",
        discussion: """
            Formats: html (one self-contained file: pan, zoom, search, click a workload for its ingress and
            egress with evidence), dot (Graphviz: dot -Tsvg map.dot > map.svg), mermaid.
            External addresses are grouped by DNS name, else into private addresses / public internet.
            """
    )

    @Option(help: "The store (SQLite file).")
    var db = "flowmap.db"

    @Option(help: "Output format: \(Map.Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format = "html"

    @Option(name: [.short, .long], help: "Output file, or - for stdout.")
    var out = "-"

    @Option(help: "Only edges with an end in these namespaces (repeatable).")
    var namespace: [String] = []

    @Option(help: "Leave out edges with fewer flows.")
    var minFlows: Int64 = 1

    func run() throws {
        guard let f = Map.Format(rawValue: format) else {
            throw ValidationError("unknown --format \(format); expected one of "
                                  + Map.Format.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var o = Map.Options(db: db)
        o.format = f
        o.out = out
        o.view.namespaces = Set(namespace)
        o.view.minFlows = minFlows
        let r = try Map.run(o)
        if let t = r.text {
            print(t, terminator: "")
        } else {
            let workloads = r.graph.nodes.filter { $0.kind == .workload }.count
            Console.out("wrote \(out): \(workloads) workloads, \(r.graph.nodes.count) nodes, \(r.graph.edges.count) edges")
        }
        for n in r.graph.notes { Console.error("note: \(n)") }
    }
}
