import FlowModel

/// `flowmap summary`: what a person wants to know first about a capture, as aligned tables.
public struct SummaryReport: Sendable {
    public struct Talker: Sendable, Hashable {
        public var endpoint: Endpoint
        public var flowsOut: Int64
        public var flowsIn: Int64
        public var peers: Int
        public var total: Int64 { flowsOut + flowsIn }
    }

    public struct NamespaceRow: Sendable, Hashable {
        public var name: String
        public var workloads: Int
        /// NetworkPolicies in the namespace among the given ones; nil when no policies were given.
        public var policies: Int?
        /// Workloads the generated plan has an allow policy for; nil when the plan does not cover the namespace.
        public var planned: Int?
    }

    public struct InternetPort: Sendable, Hashable {
        public var workload: Endpoint
        public var proto: Proto
        public var port: UInt16
        /// Distinct public sources (addresses, or `reserved:world`).
        public var sources: [String]
        public var flows: Int64
    }

    public var talkers: [Talker]
    public var namespaces: [NamespaceRow]
    public var policiesGiven: Bool
    public var internetPorts: [InternetPort]
    public var denied: [ObservedEdge]
    public var totalFlows: Int64
    public var edgeCount: Int
    public var firstSeen: Int64?
    public var lastSeen: Int64?

    /// - Parameters:
    ///   - policyCounts: NetworkPolicies per namespace from `--policies`; nil when none were given.
    ///   - planned: workloads per namespace the plan `flowmap generate` would write has an allow policy for
    ///     (a namespace the plan does not cover is absent); nil when there is no plan.
    public static func build(edges: [ObservedEdge], endpoints: [Endpoint], planned: [String: Int]?,
                             policyCounts: [String: Int]?, top: Int = 10) -> SummaryReport {
        var out = [Endpoint: Int64](), inn = [Endpoint: Int64](), peers = [Endpoint: Set<Endpoint>]()
        var total: Int64 = 0
        var first: Int64?, last: Int64?
        for e in edges {
            let k = e.key
            out[k.source, default: 0] += e.stats.flows
            inn[k.destination, default: 0] += e.stats.flows
            peers[k.source, default: []].insert(k.destination)
            peers[k.destination, default: []].insert(k.source)
            total += e.stats.flows
            first = min(first ?? .max, e.stats.firstSeen)
            last = max(last ?? .min, e.stats.lastSeen)
        }
        let talkers = Set(out.keys).union(inn.keys).map {
            Talker(endpoint: $0, flowsOut: out[$0] ?? 0, flowsIn: inn[$0] ?? 0, peers: peers[$0]?.count ?? 0)
        }.sorted { $0.total != $1.total ? $0.total > $1.total : $0.endpoint < $1.endpoint }

        var workloadsByNs = [String: Set<Endpoint>]()
        for e in endpoints where e.kind == .workload { workloadsByNs[e.namespace, default: []].insert(e) }
        for e in edges {
            for ep in [e.key.source, e.key.destination] where ep.kind == .workload {
                workloadsByNs[ep.namespace, default: []].insert(ep)
            }
        }
        let planned = planned ?? [:]
        let namespaces = workloadsByNs.keys.sorted().map { ns in
            NamespaceRow(name: ns, workloads: workloadsByNs[ns]!.count,
                         policies: policyCounts.map { $0[ns] ?? 0 }, planned: planned[ns])
        }

        var internet = [String: (Endpoint, Proto, UInt16, Set<String>, Int64)]()
        for e in edges where e.key.outcome == .allowed && e.key.destination.kind == .workload {
            let s = e.key.source
            let isPublic = (s.kind == .external && !IPAddr.isPrivate(s.name)) || s.isReserved(.world)
            guard isPublic else { continue }
            let id = "\(e.key.destination.key)\u{1}\(e.key.proto.rawValue)\u{1}\(e.key.port)"
            var v = internet[id] ?? (e.key.destination, e.key.proto, e.key.port, [], 0)
            v.3.insert(s.description)
            v.4 += e.stats.flows
            internet[id] = v
        }
        let ports = internet.values.map {
            InternetPort(workload: $0.0, proto: $0.1, port: $0.2, sources: $0.3.sorted(), flows: $0.4)
        }.sorted { a, b in
            a.sources.count != b.sources.count ? a.sources.count > b.sources.count
                : (a.workload, a.proto, a.port) < (b.workload, b.proto, b.port)
        }
        let denied = edges.filter { $0.key.outcome == .denied }
            .sorted { $0.stats.flows != $1.stats.flows ? $0.stats.flows > $1.stats.flows : $0.key < $1.key }
        return SummaryReport(talkers: Array(talkers.prefix(top)), namespaces: namespaces,
                             policiesGiven: policyCounts != nil, internetPorts: ports, denied: denied,
                             totalFlows: total, edgeCount: edges.count, firstSeen: first, lastSeen: last)
    }

    /// The report as aligned text tables.
    public func render() -> String {
        var s = "FlowMap summary: \(edgeCount) edges, \(totalFlows) flows"
        if let f = firstSeen, let l = lastSeen { s += ", \(Timestamp.format(f)) to \(Timestamp.format(l))" }
        s += "\n\n"

        s += "Top talkers (by flows)\n"
        if talkers.isEmpty {
            s += "  (none)\n"
        } else {
            var t = TextTable(headers: ["#", "ENDPOINT", "FLOWS", "OUT", "IN", "PEERS"], rightAligned: [0, 2, 3, 4, 5])
            for (i, x) in talkers.enumerated() {
                t.add(["\(i + 1)", x.endpoint.description, "\(x.total)", "\(x.flowsOut)", "\(x.flowsIn)", "\(x.peers)"])
            }
            s += t.render()
        }

        s += "\nNamespaces without policies\n"
        let uncovered = namespaces.filter { ($0.policies ?? 0) == 0 }
        if policiesGiven {
            s += uncovered.isEmpty ? "  every namespace with workloads has a NetworkPolicy\n"
                : "  \(uncovered.count) of \(namespaces.count) namespaces with workloads have no NetworkPolicy\n"
        } else {
            s += "  no policies given (pass --policies PATH to check existing ones); "
                + "`flowmap generate` would cover \(namespaces.filter { $0.planned != nil }.count) of \(namespaces.count)\n"
        }
        if namespaces.isEmpty {
            s += "  (no namespaces with workloads)\n"
        } else {
            var t = TextTable(headers: ["NAMESPACE", "WORKLOADS", "POLICIES", "FLOWMAP WOULD GENERATE"], rightAligned: [1, 2])
            for n in namespaces {
                let pol = n.policies.map { $0 == 0 ? "none" : "\($0)" } ?? "not given"
                let plan = n.planned.map { "default-deny + \($0) allow" + ($0 == 1 ? "" : "s") } ?? "nothing (no allowed flows, or a system namespace)"
                t.add([n.name, "\(n.workloads)", pol, plan])
            }
            s += t.render()
        }

        s += "\nInternet-facing ports (public sources into a workload port)\n"
        if internetPorts.isEmpty {
            s += "  (none)\n"
        } else {
            var t = TextTable(headers: ["WORKLOAD", "PORT", "SOURCES", "FLOWS", "EXAMPLES"], rightAligned: [2, 3])
            for p in internetPorts {
                var ex = p.sources.prefix(3).joined(separator: ", ")
                if p.sources.count > 3 { ex += ", …" }
                t.add([p.workload.description, MapBuilder.portText(p.proto, p.port), "\(p.sources.count)", "\(p.flows)", ex])
            }
            s += t.render()
        }

        s += "\nDenied flows (dropped at capture)\n"
        if denied.isEmpty {
            s += "  (none)\n"
        } else {
            var t = TextTable(headers: ["SOURCE", "DESTINATION", "PORT", "FLOWS", "LAST SEEN", "REASON"], rightAligned: [3])
            for e in denied {
                t.add([e.key.source.description, e.key.destination.description,
                       MapBuilder.portText(e.key.proto, e.key.port), "\(e.stats.flows)",
                       Timestamp.format(e.stats.lastSeen), e.stats.dropReasons.sorted().joined(separator: ", ")])
            }
            s += t.render()
        }
        return s
    }
}
