/// `flowmap diff` output: the verdict and totals first, then netpol-analyzer's diff lines (`diff-type: changed,
/// source: …, destination: …, ref1: …, ref2: …[, workloads-diff-info: …]`) with FlowMap's evidence suffix —
/// observed traffic a change breaks first, then changed, added, removed — as text, a pull-request comment
/// (Markdown: summary table, collapsible details) or JSON (complete; schema in the README).
public enum DiffFormatter {
    public struct Names: Sendable {
        public var ref1: String
        public var ref2: String
        public init(ref1: String = "ref1", ref2: String = "ref2") {
            self.ref1 = ref1
            self.ref2 = ref2
        }
    }

    /// FlowMap's evidence suffix; only with observed edges (without them "never observed" means nothing).
    static func evidence(_ c: SemanticDiff.Change, _ r: SemanticDiff.Report) -> String {
        guard r.hasEvidence else { return "" }
        var notes: [String] = []
        if !c.breaks.isEmpty { notes.append("BREAKS observed: " + c.breaks.map(\.description).joined(separator: ", ")) }
        if c.addedAnything && !c.addedObserved { notes.append("added, never observed") }
        return notes.joined(separator: "; ")
    }

    /// The netpol-analyzer line of one change (without the evidence suffix).
    public static func line(_ c: SemanticDiff.Change, _ n: Names = Names()) -> String {
        var s = "diff-type: \(c.kind.rawValue), source: \(c.source), destination: \(c.destination), "
        s += "\(n.ref1): \(c.old), \(n.ref2): \(c.new)"
        let info = c.workloadsInfo
        return info.isEmpty ? s : s + ", workloads-diff-info: " + info
    }

    /// Sections in output order: changes that break observed traffic, then the rest by kind.
    static func sections(_ r: SemanticDiff.Report) -> [(title: String, changes: [SemanticDiff.Change])] {
        let breaking = r.changes.filter { !$0.breaks.isEmpty }
        let rest = r.changes.filter { $0.breaks.isEmpty }
        var out: [(String, [SemanticDiff.Change])] = []
        if !breaking.isEmpty { out.append(("Breaks observed traffic", breaking)) }
        for (k, title) in [(SemanticDiff.Kind.changed, "Changed"), (.added, "Added"), (.removed, "Removed")] {
            let xs = rest.filter { $0.kind == k }
            if !xs.isEmpty { out.append((title, xs)) }
        }
        return out
    }

    /// The verdict line: `differs: …` or `no differences: …`.
    public static func verdict(_ r: SemanticDiff.Report, _ n: Names = Names()) -> String {
        let over = "\(r.oldWorkloads) workload(s) in \(n.ref1), \(r.newWorkloads) in \(n.ref2)"
        if r.isEmpty { return "no differences: the same connectivity over \(over)" + r.caveats.suffix }
        var s = "differs: \(r.changes.count) connection difference(s) (\(r.count(.changed)) changed, "
        s += "\(r.count(.added)) added, \(r.count(.removed)) removed); \(r.addedWorkloads.count) workload(s) added, "
        s += "\(r.removedWorkloads.count) removed; over \(over)"
        if r.hasEvidence {
            s += "; \(r.breakingChanges) break observed traffic, \(r.unobservedAdditions) add connections never observed"
        }
        return s + r.caveats.suffix
    }

    /// `limit`: lines per section in text and Markdown (0 = all); JSON is always complete.
    public static func format(_ r: SemanticDiff.Report, as format: OutputFormat, names: Names = Names(),
                              limit: Int = 0) -> String {
        switch format {
        case .json: return json(r, names)
        case .text: return text(r, names, limit)
        case .md: return markdown(r, names, limit)
        }
    }

    static func text(_ r: SemanticDiff.Report, _ n: Names, _ limit: Int) -> String {
        var s = verdict(r, n) + "\n"
        if !r.addedWorkloads.isEmpty { s += "workloads added (only in \(n.ref2)): \(list(r.addedWorkloads))\n" }
        if !r.removedWorkloads.isEmpty { s += "workloads removed (only in \(n.ref1)): \(list(r.removedWorkloads))\n" }
        if !r.changes.isEmpty {
            s += "Connectivity diff:\n"
            for (title, xs) in sections(r) {
                let shown = limit > 0 ? Array(xs.prefix(limit)) : xs
                for c in shown {
                    let e = evidence(c, r)
                    s += line(c, n) + (e.isEmpty ? "\n" : "  [\(e)]\n")
                }
                if shown.count < xs.count {
                    s += "... and \(xs.count - shown.count) more \(title.lowercased()) (--limit 0 shows all)\n"
                }
            }
        }
        s += coverage(r).map { $0 + "\n" }.joined()
        return s
    }

    static func markdown(_ r: SemanticDiff.Report, _ n: Names, _ limit: Int) -> String {
        var s = "### NetworkPolicy connectivity diff\n\n**\(verdict(r, n))**\n\n"
        var rows: [(String, Int)] = []
        if r.hasEvidence { rows.append(("break observed traffic", r.breakingChanges)) }
        rows += [("changed", r.count(.changed)), ("added", r.count(.added)), ("removed", r.count(.removed)),
                 ("workloads added", r.addedWorkloads.count), ("workloads removed", r.removedWorkloads.count)]
        if r.hasEvidence { rows.append(("added, never observed", r.unobservedAdditions)) }
        s += "| | count |\n|---|---|\n" + rows.map { MarkdownText.row([$0.0, "\($0.1)"]) }.joined()
        for (title, names) in [("Workloads added (only in \(n.ref2))", r.addedWorkloads),
                               ("Workloads removed (only in \(n.ref1))", r.removedWorkloads)] where !names.isEmpty {
            s += "\n<details><summary>\(title) (\(names.count))</summary>\n\n"
            s += names.map { "- `\($0)`\n" }.joined() + "\n</details>\n"
        }
        for (title, xs) in sections(r) {
            let shown = limit > 0 ? Array(xs.prefix(limit)) : xs
            let rows = shown.map { c in
                let e = evidence(c, r)
                return [c.kind.rawValue, "`\(c.source)`", "`\(c.destination)`", "\(c.old)", "\(c.new)", c.workloadsInfo,
                        e.isEmpty ? "" : (c.breaks.isEmpty ? e : "**\(e)**")]
            }
            s += MarkdownText.details(
                "\(title) (\(xs.count))",
                columns: ["diff-type", "source", "destination", n.ref1, n.ref2, "workloads-diff-info", "evidence"],
                alignments: Array(repeating: "---", count: 7), rows: rows,
                more: shown.count < xs.count ? "... and \(xs.count - shown.count) more (`--limit 0` shows all)" : nil)
        }
        let notes = coverage(r)
        if !notes.isEmpty { s += "\n" + notes.map { "- " + $0 + "\n" }.joined() }
        return s
    }

    static func list(_ xs: [String]) -> String {
        xs.count <= 10 ? xs.joined(separator: ", ") : xs.prefix(10).joined(separator: ", ") + ", ... (\(xs.count))"
    }

    static func coverage(_ r: SemanticDiff.Report) -> [String] {
        var out: [String] = []
        if !r.uncoveredNamespaces.isEmpty { out.append("namespaces no policy covers: \(list(r.uncoveredNamespaces))") }
        if !r.uncoveredIngress.isEmpty { out.append("workloads with no ingress policy: \(list(r.uncoveredIngress))") }
        if !r.uncoveredEgress.isEmpty { out.append("workloads with no egress policy: \(list(r.uncoveredEgress))") }
        return out
    }

    // MARK: - JSON (snake_case, structured ports)

    struct BreakJSON: Encodable {
        var `protocol`: String
        var port: Int
        var flows: Int64
    }

    struct ChangeJSON: Encodable {
        var diff_type: String
        var source: String
        var source_type: String
        var destination: String
        var destination_type: String
        var ref1: [PortJSON]
        var ref2: [PortJSON]
        var ref1_text: String
        var ref2_text: String
        var workloads_diff_info: String?
        var breaks: [BreakJSON]?
        var added_never_observed: Bool?
    }

    struct Totals: Encodable {
        var changed: Int
        var added: Int
        var removed: Int
        var workloads_added: Int
        var workloads_removed: Int
        var ref1_workloads: Int
        var ref2_workloads: Int
        var breaking: Int?
        var added_never_observed: Int?
    }

    struct Coverage: Encodable {
        var namespaces_without_policy: [String]
        var workloads_without_ingress_policy: [String]
        var workloads_without_egress_policy: [String]
    }

    struct ReportJSON: Encodable {
        var summary: String
        var verdict: String
        var ref1: String
        var ref2: String
        var evidence: Bool
        var totals: Totals
        var workloads_added: [String]
        var workloads_removed: [String]
        var changes: [ChangeJSON]
        var coverage: Coverage
        var caveats: EvaluationCaveats.JSON
    }

    static func json(_ r: SemanticDiff.Report, _ n: Names) -> String {
        let changes = sections(r).flatMap(\.changes).map { c in
            ChangeJSON(diff_type: c.kind.rawValue, source: c.source, source_type: c.sourceIsExternal ? "external" : "workload",
                       destination: c.destination, destination_type: c.destinationIsExternal ? "external" : "workload",
                       ref1: PortJSON.ranges(c.old), ref2: PortJSON.ranges(c.new), ref1_text: c.old.description, ref2_text: c.new.description,
                       workloads_diff_info: c.workloadsInfo.isEmpty ? nil : c.workloadsInfo,
                       breaks: r.hasEvidence ? c.breaks.map { BreakJSON(protocol: $0.proto.rawValue, port: $0.port, flows: $0.flows) } : nil,
                       added_never_observed: r.hasEvidence ? (c.addedAnything && !c.addedObserved) : nil)
        }
        let totals = Totals(changed: r.count(.changed), added: r.count(.added), removed: r.count(.removed),
                            workloads_added: r.addedWorkloads.count, workloads_removed: r.removedWorkloads.count,
                            ref1_workloads: r.oldWorkloads, ref2_workloads: r.newWorkloads,
                            breaking: r.hasEvidence ? r.breakingChanges : nil,
                            added_never_observed: r.hasEvidence ? r.unobservedAdditions : nil)
        return JSONText.document(verb: "diff", ReportJSON(
            summary: verdict(r, n), verdict: r.isEmpty ? "same" : "differs", ref1: n.ref1, ref2: n.ref2, evidence: r.hasEvidence,
            totals: totals, workloads_added: r.addedWorkloads, workloads_removed: r.removedWorkloads, changes: changes,
            coverage: Coverage(namespaces_without_policy: r.uncoveredNamespaces,
                               workloads_without_ingress_policy: r.uncoveredIngress,
                               workloads_without_egress_policy: r.uncoveredEgress),
            caveats: r.caveats.json))
    }
}
