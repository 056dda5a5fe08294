/// Text, Markdown (a pull-request comment) and JSON forms of a `PolicyCheck.Report`: the verdict and totals
/// first, then what would break, then what would newly be allowed, then what could not be evaluated; at most
/// `limit` items per section in text and Markdown (JSON lists everything). JSON schema: docs/json-output.md.
public enum CheckFormatter {
    /// What the report was evaluated over.
    public struct Context: Sendable {
        public var policies: Int
        public var workloads: Int
        public var caveats: EvaluationCaveats
        public init(policies: Int = 0, workloads: Int = 0, caveats: EvaluationCaveats = EvaluationCaveats()) {
            self.policies = policies
            self.workloads = workloads
            self.caveats = caveats
        }
    }

    /// `verdict: …` with the counts and what was left out.
    public static func verdictLine(_ r: PolicyCheck.Report, _ c: Context) -> String {
        var s = "verdict: "
        if r.breaks {
            s += "\(r.deniedConnections) observed connection(s) would break (\(r.deniedFlows) flows)"
            if r.unresolvedConnections > 0 {
                s += "; \(r.unresolvedConnections) not evaluated (an end the inventory does not know)"
            }
        } else if r.unresolvedConnections > 0 {
            s += "not fully evaluated: \(r.unresolvedConnections) observed connection(s) have an end the inventory does not know"
        } else {
            s += "nothing observed would break"
        }
        if r.observedDeniedNowAllowed > 0 {
            s += "; \(r.observedDeniedNowAllowed) observed-denied connection(s) would be allowed"
        }
        return s + " [\(c.policies) policies, \(c.workloads) workloads]" + c.caveats.suffix
    }

    public static func format(_ r: PolicyCheck.Report, as format: OutputFormat, limit: Int = 200,
                              context: Context = Context()) -> String {
        switch format {
        case .json: return json(r, context)
        case .md: return markdown(r, limit: limit, context)
        case .text: return text(r, limit: limit, context)
        }
    }

    /// Breaking changes before additions, then what was not evaluated.
    static func sections(_ r: PolicyCheck.Report) -> [(title: String, items: [PolicyCheck.Item])] {
        [("would break (observed allowed, denied by the policies)", r.denied),
         ("would now be allowed (observed denied, allowed by the policies)", r.nowAllowed),
         ("unresolved (not evaluated)", r.unresolved)]
    }

    static func isolation(_ i: PolicyCheck.Item) -> String {
        let e = i.sourceEgressPolicies.isEmpty ? "not isolated" : i.sourceEgressPolicies.joined(separator: ", ")
        let n = i.destinationIngressPolicies.isEmpty ? "not isolated" : i.destinationIngressPolicies.joined(separator: ", ")
        return "source egress: \(e); destination ingress: \(n)"
    }

    static func text(_ r: PolicyCheck.Report, limit: Int, _ c: Context) -> String {
        var s = verdictLine(r, c) + "\n"
        s += "allowed:     \(r.allowedConnections) observed connections (\(r.allowedFlows) flows)\n"
        s += "would break: \(r.deniedConnections) observed connections (\(r.deniedFlows) flows)\n"
        s += "now allowed: \(r.observedDeniedNowAllowed) observed-denied connections (\(r.nowAllowedFlows) flows)\n"
        if r.unresolvedConnections > 0 {
            s += "unresolved:  \(r.unresolvedConnections) observed connections (\(r.unresolvedFlows) flows): workload not in the inventory\n"
        }
        if r.skipped > 0 { s += "skipped:     \(r.skipped) edges (protocol not covered by NetworkPolicy, or no verdict)\n" }
        for (title, items) in sections(r) {
            guard !items.isEmpty else { continue }
            s += "\n\(title):\n"
            for i in items.prefix(limit) {
                s += "  \(i.source) => \(i.destination) : \(i.proto) \(i.port)  (\(i.flows) flows, last seen \(i.lastSeen))"
                s += i.note.isEmpty ? "\n" : "  [\(i.note)]\n"
                if i.note.isEmpty {
                    let by = i.deniedBy.isEmpty ? "" : "denied by \(i.deniedBy.joined(separator: " and ")); "
                    s += "    \(by)\(isolation(i))\n"
                }
                if !i.routes.isEmpty { s += "    through \(i.routes.joined(separator: ", "))\n" }
            }
            if items.count > limit { s += "  ... and \(items.count - limit) more (--limit)\n" }
        }
        return s
    }

    static func markdown(_ r: PolicyCheck.Report, limit: Int, _ c: Context) -> String {
        let cell = MarkdownText.cell
        var s = "**FlowMap check** — \(cell(verdictLine(r, c)))\n\n"
        s += "| | connections | flows |\n|---|---:|---:|\n"
        for (title, connections, flows) in [("allowed", r.allowedConnections, r.allowedFlows),
                                            ("would break", r.deniedConnections, r.deniedFlows),
                                            ("observed denied, now allowed", r.observedDeniedNowAllowed, r.nowAllowedFlows),
                                            ("unresolved (not evaluated)", r.unresolvedConnections, r.unresolvedFlows)] {
            s += MarkdownText.row([title, "\(connections)", "\(flows)"])
        }
        if r.skipped > 0 { s += "| skipped (not covered by NetworkPolicy) | \(r.skipped) | |\n" }
        for (title, items) in sections(r) {
            guard !items.isEmpty else { continue }
            let rows = items.prefix(limit).map { i in
                [cell(i.source), cell(i.destination), "\(i.proto) \(i.port)", "\(i.flows)", i.lastSeen,
                 cell((i.note.isEmpty ? i.deniedBy.joined(separator: ", ") : i.note)
                      + (i.routes.isEmpty ? "" : "; through " + i.routes.joined(separator: ", "))),
                 cell(i.sourceEgressPolicies.joined(separator: ", ")),
                 cell(i.destinationIngressPolicies.joined(separator: ", "))]
            }
            s += MarkdownText.details(
                "\(cell(title)): \(items.count)",
                columns: ["source", "destination", "port", "flows", "last seen", "denied by", "source egress policies",
                          "destination ingress policies"],
                alignments: ["---", "---", "---", "---:", "---", "---", "---", "---"], rows: rows,
                more: items.count > limit ? "… and \(items.count - limit) more (`--limit`)" : nil)
        }
        return s
    }

    struct JSONReport: Encodable {
        struct Count: Encodable {
            var connections: Int
            var flows: Int64
        }
        struct Totals: Encodable {
            var allowed: Count
            var would_break: Count
            var now_allowed: Count
            var unresolved: Count
            var skipped_edges: Int
        }
        /// An item's keys beside its connection.
        struct Findings: Encodable {
            var denied_by: [String]
            var source_egress_policies: [String]
            var destination_ingress_policies: [String]
            var note: String
            var routes: [String]
        }
        typealias Item = Merged<ConnectionJSON, Findings>
        var verdict: String
        var summary: String
        var policies: Int
        var workloads: Int
        var caveats: EvaluationCaveats.JSON
        var totals: Totals
        var would_break: [Item]
        var now_allowed: [Item]
        var unresolved: [Item]
    }

    static func json(_ r: PolicyCheck.Report, _ c: Context) -> String {
        func item(_ i: PolicyCheck.Item) -> JSONReport.Item {
            Merged(ConnectionJSON(i), .init(denied_by: i.deniedBy, source_egress_policies: i.sourceEgressPolicies,
                                            destination_ingress_policies: i.destinationIngressPolicies, note: i.note,
                                            routes: i.routes))
        }
        let verdict = r.breaks ? "breaks" : r.unresolvedConnections > 0 ? "incomplete" : "ok"
        return JSONText.document(verb: "check", JSONReport(
            verdict: verdict, summary: verdictLine(r, c), policies: c.policies, workloads: c.workloads,
            caveats: c.caveats.json,
            totals: .init(allowed: .init(connections: r.allowedConnections, flows: r.allowedFlows),
                          would_break: .init(connections: r.deniedConnections, flows: r.deniedFlows),
                          now_allowed: .init(connections: r.observedDeniedNowAllowed, flows: r.nowAllowedFlows),
                          unresolved: .init(connections: r.unresolvedConnections, flows: r.unresolvedFlows),
                          skipped_edges: r.skipped),
            would_break: r.denied.map(item), now_allowed: r.nowAllowed.map(item), unresolved: r.unresolved.map(item)))
    }
}
