import FlowModel

/// What the given policies decided about one observed edge.
public struct PolicyDecision: Sendable, Hashable {
    public var allowed: Bool
    /// Why (policy names, isolation ...), shown as evidence; may be empty.
    public var note: String
    public init(allowed: Bool, note: String = "") {
        self.allowed = allowed
        self.note = note
    }
}

/// A connection the given policies allow between two known endpoints that was never observed.
public struct AllowedPair: Sendable, Hashable {
    public var source: Endpoint
    public var destination: Endpoint
    /// What is allowed: `TCP 80`, `TCP any`, `any` ...
    public var ports: [String]
    public var note: String
    public init(source: Endpoint, destination: Endpoint, ports: [String], note: String = "") {
        self.source = source
        self.destination = destination
        self.ports = ports
        self.note = note
    }
}

/// The policy verdicts a map is coloured with. Computed by the caller (FlowMapKit, with the Policy evaluator), so
/// this module stays independent of how policies are read and evaluated.
public struct PolicyVerdicts: Sendable {
    /// Decision per observed edge key; edges without an entry keep their observed status.
    public var decisions: [EdgeKey: PolicyDecision]
    public var unobserved: [AllowedPair]
    public init(decisions: [EdgeKey: PolicyDecision], unobserved: [AllowedPair]) {
        self.decisions = decisions
        self.unobserved = unobserved
    }
}

public struct MapOptions: Sendable {
    /// Keep only edges with at least one end in these namespaces (empty: all).
    public var namespaces: Set<String> = []
    /// Leave out edges with fewer flows (allowed-unobserved edges are not affected).
    public var minFlows: Int64 = 1
    /// At most this many allowed-but-unobserved edges are drawn (a wide-open policy allows every pair).
    public var maxUnobservedEdges: Int = 2000
    public init() {}
}

/// Builds the map graph from the store's evidence.
public enum MapBuilder {
    /// Name of the external group an address falls into: its first DNS name when one was seen, otherwise
    /// `private addresses` or `public internet`.
    public static func externalGroup(for address: String, names: [String]) -> String {
        if let n = names.sorted().first, !n.isEmpty { return n }
        return IPAddr.isPrivate(address) ? "private addresses" : "public internet"
    }

    /// The node key an endpoint is drawn as (see `MapNode.key`).
    public static func nodeKey(for ep: Endpoint, names: [Endpoint: [String]]) -> String {
        ep.kind == .external ? "external:" + externalGroup(for: ep.name, names: names[ep] ?? []) : ep.key
    }

    /// `TCP 9080`, `ICMPv4` (portless protocols).
    public static func portText(_ proto: Proto, _ port: UInt16) -> String {
        port == 0 && !proto.isPolicyProtocol ? proto.rawValue : "\(proto.rawValue) \(port)"
    }

    /// - Parameters:
    ///   - edges: the store's aggregated edges.
    ///   - l7: L7 requests per edge (examples in the evidence).
    ///   - names: DNS names per external endpoint (grouping).
    ///   - endpoints: every endpoint known to the store; workloads without an edge are still drawn.
    public static func build(edges: [ObservedEdge], l7: [EdgeKey: [L7Observation]] = [:],
                             names: [Endpoint: [String]] = [:], endpoints: [Endpoint] = [],
                             verdicts: PolicyVerdicts? = nil, options: MapOptions = MapOptions()) -> MapGraph {
        let nsFilter = options.namespaces
        func inScope(_ e: Endpoint) -> Bool { nsFilter.isEmpty || (e.kind == .workload && nsFilter.contains(e.namespace)) }

        // Nodes: keyed by node key, with what is needed to draw them.
        struct NodeInfo {
            var kind: EndpointKind
            var label: String
            var detail: String
            var namespace: String
            var members: [String: String] = [:]  // address -> text
            var flowsOut: Int64 = 0
            var flowsIn: Int64 = 0
        }
        var infos = [String: NodeInfo]()
        func touch(_ e: Endpoint) -> String {
            let k = nodeKey(for: e, names: names)
            if infos[k] == nil {
                switch e.kind {
                case .workload:
                    infos[k] = NodeInfo(kind: .workload, label: e.name, detail: e.workloadKind, namespace: e.namespace)
                case .reserved:
                    infos[k] = NodeInfo(kind: .reserved, label: e.name, detail: "reserved", namespace: "")
                case .external:
                    infos[k] = NodeInfo(kind: .external, label: String(k.dropFirst("external:".count)), detail: "",
                                        namespace: "")
                }
            }
            if e.kind == .external {
                let n = (names[e] ?? []).sorted()
                infos[k]!.members[e.name] = n.isEmpty ? e.name : "\(e.name) (\(n.prefix(3).joined(separator: ", ")))"
            }
            return k
        }
        for e in endpoints where e.kind == .workload && inScope(e) { _ = touch(e) }

        // Edges: (source key, target key, status) -> evidence.
        struct EdgeAcc {
            var ports: [PortSortKey: String] = [:]
            var flows: Int64 = 0
            var evidence: [MapEvidence] = []
        }
        struct EdgeID: Hashable {
            var source: String, target: String, status: EdgeStatus
        }
        var acc = [EdgeID: EdgeAcc]()
        var unobservedCount = 0
        var notes: [String] = []
        for e in edges {
            let k = e.key
            guard inScope(k.source) || inScope(k.destination), e.stats.flows >= options.minFlows else { continue }
            let s = touch(k.source), t = touch(k.destination)
            var status: EdgeStatus = k.outcome == .denied ? .dropped : .observed
            var note = ""
            if status == .observed, let d = verdicts?.decisions[k] {
                status = d.allowed ? .allowedObserved : .observedDenied
                note = d.note
            }
            infos[s]!.flowsOut += e.stats.flows
            infos[t]!.flowsIn += e.stats.flows
            let id = EdgeID(source: s, target: t, status: status)
            let portText = portText(k.proto, k.port)
            acc[id, default: EdgeAcc()].ports[PortSortKey(k.proto, k.port)] = portText
            acc[id]!.flows += e.stats.flows
            let examples = (l7[k] ?? [])
                .sorted { $0.stats.flows != $1.stats.flows ? $0.stats.flows > $1.stats.flows : $0.request < $1.request }
                .prefix(3).map(\.request.description)
            acc[id]!.evidence.append(MapEvidence(
                source: k.source.description, destination: k.destination.description, port: portText,
                flows: e.stats.flows, firstSeen: e.stats.firstSeen, lastSeen: e.stats.lastSeen,
                dropReasons: e.stats.dropReasons.sorted(), examples: Array(examples), note: note))
        }
        if let v = verdicts {
            let pairs = v.unobserved.filter { inScope($0.source) || inScope($0.destination) }
                .sorted { ($0.source, $0.destination) < ($1.source, $1.destination) }
            if pairs.count > options.maxUnobservedEdges {
                notes.append("\(pairs.count) allowed-but-unobserved connections; only the first "
                             + "\(options.maxUnobservedEdges) are drawn")
            }
            for p in pairs.prefix(options.maxUnobservedEdges) {
                let s = touch(p.source), t = touch(p.destination)
                let id = EdgeID(source: s, target: t, status: .allowedUnobserved)
                for port in p.ports { acc[id, default: EdgeAcc()].ports[PortSortKey(text: port)] = port }
                acc[id, default: EdgeAcc()].evidence.append(MapEvidence(
                    source: p.source.description, destination: p.destination.description,
                    port: p.ports.joined(separator: ", "), flows: 0, firstSeen: 0, lastSeen: 0, note: p.note))
                unobservedCount += 1
            }
        }

        // Groups in display order: namespaces (sorted), cluster entities, external.
        func groupKey(_ info: NodeInfo) -> (Int, String) {
            switch info.kind {
            case .workload: return (0, info.namespace)
            case .reserved: return (1, "cluster entities")
            case .external: return (2, "external")
            }
        }
        let keysByGroup = Dictionary(grouping: infos.keys) { k in
            let g = groupKey(infos[k]!)
            return "\(g.0)\u{1}\(g.1)"
        }
        var groups: [MapGroup] = []
        var nodes: [MapNode] = []
        var nodeID = [String: String]()
        for gk in keysByGroup.keys.sorted() {
            let members = keysByGroup[gk]!.sorted { a, b in
                let x = infos[a]!, y = infos[b]!
                return (x.label, x.detail, a) < (y.label, y.detail, b)
            }
            let first = infos[members[0]]!
            let (_, label) = groupKey(first)
            let kind: MapGroupKind = first.kind == .workload ? .namespace : first.kind == .reserved ? .reserved : .external
            let gid = "g\(groups.count)"
            var ids: [String] = []
            for k in members {
                let info = infos[k]!
                let id = "n\(nodes.count)"
                nodeID[k] = id
                ids.append(id)
                let mem = info.members.keys.sorted(by: CIDR.textOrder).map { info.members[$0]! }
                nodes.append(MapNode(
                    id: id, key: k, kind: info.kind, group: gid, label: info.label,
                    detail: info.kind == .external ? "\(mem.count) address" + (mem.count == 1 ? "" : "es") : info.detail,
                    namespace: info.namespace, members: mem, flowsOut: info.flowsOut, flowsIn: info.flowsIn))
            }
            groups.append(MapGroup(id: gid, kind: kind, label: label, nodes: ids))
        }

        let edgeIDs = acc.keys.sorted { a, b in
            let sa = nodeID[a.source]!, sb = nodeID[b.source]!, ta = nodeID[a.target]!, tb = nodeID[b.target]!
            let na = Int(sa.dropFirst())!, nb = Int(sb.dropFirst())!
            let ma = Int(ta.dropFirst())!, mb = Int(tb.dropFirst())!
            return (na, ma, a.status.order) < (nb, mb, b.status.order)
        }
        var out: [MapEdge] = []
        for id in edgeIDs {
            let a = acc[id]!
            out.append(MapEdge(
                id: "e\(out.count)", source: nodeID[id.source]!, target: nodeID[id.target]!, status: id.status,
                ports: a.ports.keys.sorted().map { a.ports[$0]! }, flows: a.flows, evidence: a.evidence.sorted()))
        }
        _ = unobservedCount
        return MapGraph(groups: groups, nodes: nodes, edges: out, hasVerdicts: verdicts != nil, notes: notes.sorted())
    }
}

/// Sorts ports by protocol then number; free-text ports (from policies) after, by text.
struct PortSortKey: Hashable, Comparable {
    var a: Int
    var b: Int
    var text: String

    init(_ proto: Proto, _ port: UInt16) {
        a = Proto.allCases.firstIndex(of: proto)!
        b = Int(port)
        text = ""
    }

    init(text: String) {
        a = 100
        b = 0
        self.text = text
    }

    static func < (x: PortSortKey, y: PortSortKey) -> Bool { (x.a, x.b, x.text) < (y.a, y.b, y.text) }
}
