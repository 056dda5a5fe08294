/// Connectivity output: netpol-analyzer's connlist lines (`src => dst : conns`) in text; in Markdown a
/// pull-request comment (summary table, then the pairs in a collapsible section); in JSON the documented schema (docs/json-output.md) with ports as structured ranges.
public enum ConnlistFormatter {
    public typealias Context = CheckFormatter.Context

    struct JSONReport: Encodable {
        struct Entry: Encodable {
            var source: String
            var destination: String
            var all_connections: Bool
            var ports: [PortJSON]
        }
        var schema_version = 1
        var verb = "connectivity"
        var summary: String
        var policies: Int
        var workloads: Int
        var caveats: EvaluationCaveats.JSON
        var connections: [Entry]
    }

    public static func summary(_ entries: [ConnectivityEntry], _ c: Context) -> String {
        "connectivity: \(entries.count) allowed pair(s) [\(c.policies) policies, \(c.workloads) workloads]" + c.caveats.suffix
    }

    public static func format(_ entries: [ConnectivityEntry], as format: OutputFormat,
                              context: Context = Context()) -> String {
        switch format {
        case .json:
            return JSONText.encode(JSONReport(
                summary: summary(entries, context), policies: context.policies, workloads: context.workloads,
                caveats: context.caveats.json,
                connections: entries.map {
                    JSONReport.Entry(source: $0.source.description, destination: $0.destination.description,
                                     all_connections: $0.connections.isAll, ports: PortJSON.ranges($0.connections))
                }))
        case .md:
            let inbound = entries.filter { $0.source.isExternal }.count
            let outbound = entries.filter { $0.destination.isExternal }.count
            var s = "**FlowMap connectivity** — \(MarkdownText.cell(summary(entries, context)))\n\n"
            s += "| | pairs |\n|---|---:|\n"
            s += "| workload to workload | \(entries.count - inbound - outbound) |\n"
            s += "| from external ranges | \(inbound) |\n| to external ranges | \(outbound) |\n"
            s += "\n<details><summary>allowed connections: \(entries.count)</summary>\n\n"
            s += "| src | dst | conn |\n|-----|-----|------|\n"
            for e in entries {
                s += "| \(MarkdownText.cell(e.source.description)) | \(MarkdownText.cell(e.destination.description)) | \(e.connections) |\n"
            }
            return s + "\n</details>\n"
        case .text:
            var s = ""
            for e in entries { s += "\(e.source) => \(e.destination) : \(e.connections)\n" }
            return s
        }
    }
}
