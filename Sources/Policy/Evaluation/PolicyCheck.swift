import FlowModel

/// Replays observed edges against a policy set: what the set allows, and which observed-allowed connections it
/// would deny (what would break).
public enum PolicyCheck {
    public struct Item: Sendable, Hashable, Codable {
        public var source: String
        public var destination: String
        public var proto: String
        public var port: Int
        public var flows: Int64
        public var firstSeen: String
        public var lastSeen: String
        /// Why it could not be decided (unresolved items only).
        public var note: String
    }

    public struct Report: Sendable, Codable {
        /// Observed-allowed connections (edges) and their flows that the policy set allows / denies.
        public var allowedConnections = 0
        public var allowedFlows: Int64 = 0
        public var deniedConnections = 0
        public var deniedFlows: Int64 = 0
        /// Observed-allowed connections that could not be evaluated (workload missing from the inventory).
        public var unresolvedConnections = 0
        public var unresolvedFlows: Int64 = 0
        /// Observed-denied connections that this set would allow.
        public var observedDeniedNowAllowed = 0
        /// Edges whose protocol NetworkPolicy does not cover (ICMP ...), or with another outcome.
        public var skipped = 0
        /// What would break, most flows first.
        public var denied: [Item] = []
        public var unresolved: [Item] = []
        public var nowAllowed: [Item] = []

        public var breaks: Bool { deniedConnections > 0 }
    }

    /// `addresses` lists known addresses of reserved endpoints (kube-apiserver ...): such an edge is allowed only
    /// when every address is.
    public static func run(_ ev: PolicyEvaluator, edges: [ObservedEdge],
                           addresses: [Endpoint: [String]] = [:]) -> Report {
        var r = Report()
        for e in edges {
            let k = e.key
            guard k.proto.isPolicyProtocol, k.outcome != .other else {
                r.skipped += 1
                continue
            }
            func makeItem() -> Item { Item(source: k.source.description, destination: k.destination.description,
                            proto: k.proto.rawValue, port: Int(k.port), flows: e.stats.flows,
                            firstSeen: e.stats.firstSeen == .max ? "" : Timestamp.format(e.stats.firstSeen),
                            lastSeen: e.stats.lastSeen == .min ? "" : Timestamp.format(e.stats.lastSeen), note: "") }
            let src = peers(k.source, ev, addresses), dst = peers(k.destination, ev, addresses)
            if src.isEmpty || dst.isEmpty {
                if k.outcome == .allowed {
                    r.unresolvedConnections += 1
                    r.unresolvedFlows += e.stats.flows
                    var i = makeItem()
                    i.note = "\(src.isEmpty ? k.source.description : k.destination.description) is not in the inventory"
                    r.unresolved.append(i)
                }
                continue
            }
            var allowed = true
            outer: for s in src {
                for d in dst where !ev.connections(from: s, to: d).contains(k.proto, Int(k.port)) {
                    allowed = false
                    break outer
                }
            }
            switch (k.outcome, allowed) {
            case (.allowed, true):
                r.allowedConnections += 1
                r.allowedFlows += e.stats.flows
            case (.allowed, false):
                r.deniedConnections += 1
                r.deniedFlows += e.stats.flows
                r.denied.append(makeItem())
            case (.denied, true):
                r.observedDeniedNowAllowed += 1
                r.nowAllowed.append(makeItem())
            default:
                break
            }
        }
        let order: (Item, Item) -> Bool = {
            ($0.flows, $1.source, $1.destination, $1.port) > ($1.flows, $0.source, $0.destination, $0.port)
        }
        r.denied.sort(by: order)
        r.unresolved.sort(by: order)
        r.nowAllowed.sort(by: order)
        return r
    }

    /// The evaluator peers an observed endpoint stands for; empty when a workload is unknown.
    static func peers(_ ep: Endpoint, _ ev: PolicyEvaluator, _ addresses: [Endpoint: [String]]) -> [EvalPeer] {
        switch ep.kind {
        case .workload:
            return ev.indexes(of: ep).map { .workload($0) }
        case .external:
            return [IPAddr(ep.name).map { .address($0) } ?? .unknownAddress]
        case .reserved:
            if ep.name == "host" { return [.ownNode] }  // B5: the pod's own node
            let known = (addresses[ep] ?? []).compactMap { IPAddr($0) }
            return known.isEmpty ? [.unknownAddress] : known.map { .address($0) }
        }
    }
}
