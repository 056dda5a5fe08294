import FlowModel

/// Dense observed ports of one peer merged into `endPort` ranges (passive FTP data ports, media/RTP ports).
///
/// The rule (docs/topologies.md, "Port ranges"): per protocol, a run of observed ports where each port is at
/// most `maxGap + 1` above the previous one (at most `maxGap` unobserved ports between neighbours) becomes one
/// range from its first to its last port when it holds at least `minPorts` distinct ports. Shorter runs stay
/// single ports, and a range never spans a gap wider than `maxGap`, so the unobserved ports a range admits are
/// at most `maxGap` per observed neighbour pair. Only plain observed entries merge: a named port, a port with
/// HTTP or DNS rules, or an entry without flows of its own (the DNS sibling) stays single and ends the run.
public enum PortRanges {
    public static let defaultMinPorts = 8
    public static let defaultMaxGap = 2

    /// `ports` sorted by (protocol, port); returns them sorted, runs replaced by ranges.
    public static func merge(_ ports: [PortPlan], minPorts: Int, maxGap: Int) -> [PortPlan] {
        var out: [PortPlan] = []
        var run: [PortPlan] = []
        func flush() {
            if run.count >= max(minPorts, 2) { out.append(range(run)) } else { out += run }
            run = []
        }
        for p in ports {
            guard mergeable(p) else { flush(); out.append(p); continue }
            if let last = run.last, last.proto != p.proto || Int(p.port) - Int(last.port) - 1 > maxGap { flush() }
            run.append(p)
        }
        flush()
        return out.sorted()
    }

    static func mergeable(_ p: PortPlan) -> Bool {
        p.name == nil && p.http.isEmpty && p.dnsQueries.isEmpty && p.flows > 0 && p.endPort == nil
    }

    static func range(_ run: [PortPlan]) -> PortPlan {
        var r = PortPlan(proto: run[0].proto, port: run[0].port, flows: run.reduce(0) { $0 + $1.flows },
                         firstSeen: run.map(\.firstSeen).min()!, lastSeen: run.map(\.lastSeen).max()!,
                         examples: Array(run.flatMap(\.examples).prefix(3)))
        r.endPort = run[run.count - 1].port
        r.rangePorts = run.map(\.port)
        return r
    }
}
