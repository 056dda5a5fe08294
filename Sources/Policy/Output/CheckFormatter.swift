/// Text and JSON forms of a `PolicyCheck.Report`.
public enum CheckFormatter {
    public static func format(_ r: PolicyCheck.Report, as format: OutputFormat, limit: Int = 200) -> String {
        if format == .json { return JSONText.encode(r) }
        var s = ""
        s += "allowed: \(r.allowedConnections) observed connections (\(r.allowedFlows) flows)\n"
        s += "denied:  \(r.deniedConnections) observed connections (\(r.deniedFlows) flows) would break\n"
        if r.unresolvedConnections > 0 {
            s += "unresolved: \(r.unresolvedConnections) observed connections (\(r.unresolvedFlows) flows): workload not in the inventory\n"
        }
        if r.observedDeniedNowAllowed > 0 {
            s += "observed-denied connections this set would allow: \(r.observedDeniedNowAllowed)\n"
        }
        if r.skipped > 0 { s += "skipped: \(r.skipped) edges (protocol not covered by NetworkPolicy, or no verdict)\n" }
        func list(_ title: String, _ items: [PolicyCheck.Item]) {
            guard !items.isEmpty else { return }
            s += "\n\(title):\n"
            if format == .md { s += "| source | destination | port | flows | last seen |\n|---|---|---|---|---|\n" }
            for i in items.prefix(limit) {
                if format == .md {
                    s += "| \(i.source) | \(i.destination) | \(i.proto) \(i.port) | \(i.flows) | \(i.lastSeen) |\n"
                } else {
                    s += "  \(i.source) => \(i.destination) : \(i.proto) \(i.port)  (\(i.flows) flows, last seen \(i.lastSeen))"
                    s += i.note.isEmpty ? "\n" : "  [\(i.note)]\n"
                }
            }
            if items.count > limit { s += "  ... and \(items.count - limit) more\n" }
        }
        list("would break (observed allowed, denied by the policies)", r.denied)
        list("unresolved", r.unresolved)
        return s
    }
}
