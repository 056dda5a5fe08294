import FlowModel

/// The flow map as a graph, independent of any output format: groups (namespaces, cluster entities, external
/// peers), nodes (workloads, reserved entities, grouped external addresses) and edges (one per source node,
/// destination node and status, with their ports, flow counts and the store edges behind them as evidence).
/// Everything is sorted, so every renderer that walks it in order is deterministic.
public struct MapGraph: Sendable, Hashable {
    public var groups: [MapGroup]
    public var nodes: [MapNode]
    public var edges: [MapEdge]
    /// True when edges carry a policy verdict (`--policies`).
    public var hasVerdicts: Bool
    /// Things a reader should know (capped lists, ...), sorted.
    public var notes: [String]

    public init(groups: [MapGroup], nodes: [MapNode], edges: [MapEdge], hasVerdicts: Bool, notes: [String] = []) {
        self.groups = groups
        self.nodes = nodes
        self.edges = edges
        self.hasVerdicts = hasVerdicts
        self.notes = notes
    }

    public func node(id: String) -> MapNode? { nodes.first { $0.id == id } }
}

public enum MapGroupKind: String, Sendable, Hashable, Codable {
    case namespace
    /// Cilium reserved identities (host, remote-node, world ...).
    case reserved
    /// Addresses outside the cluster's known pods.
    case external
}

public struct MapGroup: Sendable, Hashable {
    /// `g0`, `g1` ... in display order.
    public var id: String
    public var kind: MapGroupKind
    /// Namespace name, `cluster entities` or `external`.
    public var label: String
    /// Node ids, in display order.
    public var nodes: [String]
}

public struct MapNode: Sendable, Hashable {
    /// `n0`, `n1` ... in display order; safe in every output format.
    public var id: String
    /// Stable text key: `Endpoint.key` for workloads and reserved entities, `external:<group>` for external groups.
    public var key: String
    public var kind: EndpointKind
    /// Id of the group the node is drawn in.
    public var group: String
    /// Workload name, reserved entity name, or external group name.
    public var label: String
    /// Workload kind (Deployment ...), `reserved`, or the number of addresses of an external group.
    public var detail: String
    /// Namespace of a workload; empty otherwise.
    public var namespace: String
    /// External groups: each address with the DNS names seen for it (`1.2.3.4 (api.example.com)`).
    public var members: [String]
    public var flowsOut: Int64
    public var flowsIn: Int64
}

/// How an edge is classified.
public enum EdgeStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Observed, forwarded by the datapath (no policies given).
    case observed
    /// Observed, dropped by the datapath at capture time.
    case dropped
    /// Observed, and the given policies allow it.
    case allowedObserved = "allowed-observed"
    /// Observed, but the given policies would deny it: applying them breaks this traffic.
    case observedDenied = "observed-denied"
    /// The given policies allow it, but it was never observed.
    case allowedUnobserved = "allowed-unobserved"

    public static func < (a: EdgeStatus, b: EdgeStatus) -> Bool { a.order < b.order }
    var order: Int { EdgeStatus.allCases.firstIndex(of: self)! }

    /// Legend text.
    public var title: String {
        switch self {
        case .observed: return "observed"
        case .dropped: return "observed, dropped at capture"
        case .allowedObserved: return "allowed and observed"
        case .observedDenied: return "observed but denied by the policies"
        case .allowedUnobserved: return "allowed but never observed"
        }
    }

    /// Stroke colour (colour-blind friendly pairs: blue/orange/red/grey).
    public var color: String {
        switch self {
        case .observed: return "#4a6fa5"
        case .dropped: return "#8e44ad"
        case .allowedObserved: return "#2e8540"
        case .observedDenied: return "#d62728"
        case .allowedUnobserved: return "#9a9a9a"
        }
    }

    public var dashed: Bool { self == .allowedUnobserved || self == .dropped }
}

public struct MapEdge: Sendable, Hashable {
    /// `e0`, `e1` ... in display order.
    public var id: String
    /// Node ids.
    public var source: String
    public var target: String
    public var status: EdgeStatus
    /// `TCP 9080`, `UDP 53`, `ICMPv4` ... sorted by protocol then port.
    public var ports: [String]
    /// Flows behind the edge (0 for allowed-but-unobserved).
    public var flows: Int64
    /// The store edges (or policy-allowed pairs) behind it.
    public var evidence: [MapEvidence]

    /// `TCP 9080, UDP 53 · 12 flows`; at most four ports named.
    public var label: String {
        var p = ports.prefix(4).joined(separator: ", ")
        if ports.count > 4 { p += " +\(ports.count - 4)" }
        if status == .allowedUnobserved { return p + " · unused" }
        return p + " · \(flows) flow" + (flows == 1 ? "" : "s")
    }
}

/// One store edge (or one allowed-unobserved pair) behind a map edge.
public struct MapEvidence: Sendable, Hashable, Comparable {
    /// Endpoint descriptions (`ns/name[Kind]`, `reserved:host`, `1.2.3.4`).
    public var source: String
    public var destination: String
    /// `TCP 9080`.
    public var port: String
    public var flows: Int64
    /// Nanoseconds since the epoch; 0 when unobserved.
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var dropReasons: [String]
    /// Up to three L7 requests or DNS names, busiest first.
    public var examples: [String]
    /// Why the policies decided as they did, when known.
    public var note: String

    public init(source: String, destination: String, port: String, flows: Int64, firstSeen: Int64, lastSeen: Int64,
                dropReasons: [String] = [], examples: [String] = [], note: String = "") {
        self.source = source
        self.destination = destination
        self.port = port
        self.flows = flows
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.dropReasons = dropReasons
        self.examples = examples
        self.note = note
    }

    public static func < (a: MapEvidence, b: MapEvidence) -> Bool {
        (a.source, a.destination, a.port) < (b.source, b.destination, b.port)
    }
}
