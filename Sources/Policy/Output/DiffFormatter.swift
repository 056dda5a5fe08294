/// netpol-analyzer-style diff output (`diff-type: changed, source: ..., destination: ...`) with the evidence,
/// as text, JSON, or a Markdown table for pull-request comments.
public enum DiffFormatter {
    static func evidence(_ c: SemanticDiff.Change) -> String {
        var notes: [String] = []
        if !c.breaks.isEmpty { notes.append("BREAKS observed: " + c.breaks.joined(separator: ", ")) }
        if c.addedAnything && !c.addedObserved { notes.append("added, never observed") }
        return notes.joined(separator: "; ")
    }

    public static func format(_ r: SemanticDiff.Report, as format: OutputFormat, oldName: String = "old",
                              newName: String = "new") -> String {
        switch format {
        case .json:
            return JSONText.encode(r)
        case .text:
            var s = r.isEmpty ? "No connectivity differences\n" : "Connectivity diff:\n"
            for c in r.changes {
                s += "diff-type: \(c.kind.rawValue), source: \(c.source), destination: \(c.destination), "
                s += "\(oldName): \(c.old), \(newName): \(c.new)"
                let e = evidence(c)
                s += e.isEmpty ? "\n" : "  [\(e)]\n"
            }
            s += summary(r)
            return s
        case .md:
            var s = "### NetworkPolicy connectivity diff\n\n"
            if r.isEmpty {
                s += "No connectivity differences.\n"
            } else {
                s += "| diff-type | source | destination | \(oldName) | \(newName) | evidence |\n"
                s += "|---|---|---|---|---|---|\n"
                for c in r.changes {
                    let e = evidence(c)
                    s += "| \(c.kind.rawValue) | `\(c.source)` | `\(c.destination)` | \(c.old) | \(c.new) | \(e.isEmpty ? "" : (c.breaks.isEmpty ? e : "**\(e)**")) |\n"
                }
            }
            s += "\n" + summary(r).split(separator: "\n").map { "- " + $0 }.joined(separator: "\n") + "\n"
            return s
        }
    }

    static func summary(_ r: SemanticDiff.Report) -> String {
        var s = "\(r.changes.count) changed pair(s) over \(r.workloads) workloads; "
        s += "\(r.breakingChanges) remove observed traffic; \(r.unobservedAdditions) add connections never observed\n"
        func names(_ xs: [String]) -> String {
            xs.count <= 10 ? xs.joined(separator: ", ") : xs.prefix(10).joined(separator: ", ") + ", ... (\(xs.count))"
        }
        if !r.uncoveredNamespaces.isEmpty { s += "namespaces no policy covers: \(names(r.uncoveredNamespaces))\n" }
        if !r.uncoveredIngress.isEmpty { s += "workloads with no ingress policy: \(names(r.uncoveredIngress))\n" }
        if !r.uncoveredEgress.isEmpty { s += "workloads with no egress policy: \(names(r.uncoveredEgress))\n" }
        return s
    }
}
