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
        var summary: String
        var policies: Int
        var workloads: Int
        var caveats: EvaluationCaveats.JSON
        var connections: [Entry]
        /// Only with `--exposure` (docs/exposure.md).
        var exposure: ExposureJSON?
    }

    struct ExposureJSON: Encodable {
        struct Entry: Encodable {
            var workload: String
            var direction: String
            var peer: String
            var all_connections: Bool
            var ports: [PortJSON]
            /// Egress named ports, unresolved (`TCP http`).
            var named_ports: [String]
        }
        struct Unprotected: Encodable {
            var workload: String
            var direction: String
        }
        var entries: [Entry]
        var unprotected: [Unprotected]
    }

    static func exposureJSON(_ r: ExposureReport) -> ExposureJSON {
        ExposureJSON(
            entries: r.entries.map {
                ExposureJSON.Entry(workload: $0.workload.description, direction: $0.egress ? "egress" : "ingress",
                                   peer: $0.peer.description, all_connections: $0.connections.ports.isAll,
                                   ports: PortJSON.ranges($0.connections.ports),
                                   named_ports: $0.connections.named.map(\.description))
            },
            unprotected: r.unprotected.map { .init(workload: $0.workload.description, direction: $0.egress ? "egress" : "ingress") })
    }

    /// The text `Exposure Analysis Result:` section (netpol-analyzer's layout): egress lines, ingress lines,
    /// then the workload directions no policy protects.
    public static func exposureText(_ r: ExposureReport) -> String {
        var s = "Exposure Analysis Result:\n"
        let egress = r.entries.filter(\.egress), ingress = r.entries.filter { !$0.egress }
        if !egress.isEmpty { s += "Egress Exposure:\n" + egress.map { $0.line + "\n" }.joined() }
        if !ingress.isEmpty { s += (egress.isEmpty ? "" : "\n") + "Ingress Exposure:\n" + ingress.map { $0.line + "\n" }.joined() }
        if !r.unprotected.isEmpty {
            s += "\nWorkloads not protected by network policies:\n" + r.unprotected.map { $0.line + "\n" }.joined()
        }
        return s
    }

    public static func summary(_ entries: [ConnectivityEntry], _ c: Context) -> String {
        "connectivity: \(entries.count) allowed pair(s) [\(c.policies) policies, \(c.workloads) workloads]" + c.caveats.suffix
    }

    /// `exposure`: the `--exposure` section (nil without the flag).
    public static func format(_ entries: [ConnectivityEntry], as format: OutputFormat,
                              context: Context = Context(), exposure: ExposureReport? = nil) -> String {
        switch format {
        case .json:
            return JSONText.document(verb: "connectivity", JSONReport(
                summary: summary(entries, context), policies: context.policies, workloads: context.workloads,
                caveats: context.caveats.json,
                connections: entries.map {
                    JSONReport.Entry(source: $0.source.description, destination: $0.destination.description,
                                     all_connections: $0.connections.isAll, ports: PortJSON.ranges($0.connections))
                },
                exposure: exposure.map(exposureJSON)))
        case .md:
            let inbound = entries.filter { $0.source.isExternal }.count
            let outbound = entries.filter { $0.destination.isExternal }.count
            var s = "**FlowMap connectivity** — \(MarkdownText.cell(summary(entries, context)))\n\n"
            s += "| | pairs |\n|---|---:|\n"
            s += MarkdownText.row(["workload to workload", "\(entries.count - inbound - outbound)"])
            s += MarkdownText.row(["from external ranges", "\(inbound)"]) + MarkdownText.row(["to external ranges", "\(outbound)"])
            s += "\n<details><summary>allowed connections: \(entries.count)</summary>\n\n"
            s += "| src | dst | conn |\n|-----|-----|------|\n"
            for e in entries {
                s += MarkdownText.row([MarkdownText.cell(e.source.description), MarkdownText.cell(e.destination.description),
                                       "\(e.connections)"])
            }
            s += "\n</details>\n"
            if let exposure {
                s += "\n<details><summary>exposure: \(exposure.entries.count) line(s), \(exposure.unprotected.count) unprotected direction(s)</summary>\n\n"
                s += "| workload | direction | peer | conn |\n|-----|-----|-----|------|\n"
                for e in exposure.entries {
                    s += MarkdownText.row([MarkdownText.cell(e.workload.description), e.egress ? "egress" : "ingress",
                                           MarkdownText.cell(e.peer.description), MarkdownText.cell(e.connections.description)])
                }
                for u in exposure.unprotected {
                    s += MarkdownText.row([MarkdownText.cell(u.workload.description), u.egress ? "egress" : "ingress",
                                           "not protected", "All Connections"])
                }
                s += "\n</details>\n"
            }
            return s
        case .text:
            var s = ""
            for e in entries { s += "\(e.source) => \(e.destination) : \(e.connections)\n" }
            if let exposure { s += (s.isEmpty ? "" : "\n") + exposureText(exposure) }
            return s
        }
    }
}
