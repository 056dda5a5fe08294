import FlowMapView
import FlowModel
import Policy

/// `flowmap map --output json` (schema/map.schema.json): the graph every renderer draws, with structured ports.
struct MapJSON: Encodable {
    struct Group: Encodable {
        var id: String
        var kind: String
        var label: String
        var nodes: [String]
    }
    struct Node: Encodable {
        var id: String
        var key: String
        var kind: String
        var group: String
        var label: String
        var detail: String
        var namespace: String
        var members: [String]
        var flows_out: Int64
        var flows_in: Int64
    }
    /// An evidence line's keys beside its connection (first and last seen absent when never observed:
    /// allowed-unobserved).
    struct Detail: Encodable {
        var drop_reasons: [String]
        var examples: [String]
        var note: String
    }
    typealias Evidence = Merged<ConnectionJSON, Detail>
    struct Edge: Encodable {
        var id: String
        var source: String
        var target: String
        var status: String
        var ports: [PortJSON]
        var flows: Int64
        var evidence: [Evidence]
    }
    var has_verdicts: Bool
    var notes: [String]
    var groups: [Group]
    var nodes: [Node]
    var edges: [Edge]

    init(_ g: MapGraph) {
        has_verdicts = g.hasVerdicts
        notes = g.notes
        groups = g.groups.map { Group(id: $0.id, kind: $0.kind.rawValue, label: $0.label, nodes: $0.nodes) }
        nodes = g.nodes.map {
            Node(id: $0.id, key: $0.key, kind: $0.kind.rawValue, group: $0.group, label: $0.label, detail: $0.detail,
                 namespace: $0.namespace, members: $0.members, flows_out: $0.flowsOut, flows_in: $0.flowsIn)
        }
        edges = g.edges.map { e in
            Edge(id: e.id, source: e.source, target: e.target, status: e.status.rawValue,
                 ports: e.ports.map(Self.port), flows: e.flows, evidence: e.evidence.map {
                     Evidence(ConnectionJSON(source: $0.source, destination: $0.destination, port: Self.port($0.port),
                                             flows: $0.flows, firstSeen: $0.flows == 0 ? nil : Timestamp.format($0.firstSeen),
                                             lastSeen: $0.flows == 0 ? nil : Timestamp.format($0.lastSeen)),
                              Detail(drop_reasons: $0.dropReasons, examples: $0.examples, note: $0.note))
                 })
        }
    }

    /// `TCP 9080` → TCP 9080; `ICMPv4` (no ports) → port 0 (`MapBuilder.portText`).
    static func port(_ text: String) -> PortJSON {
        let parts = text.split(separator: " ")
        let n = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        return PortJSON(String(parts.first ?? ""), n, n)
    }
}

extension Map {
    /// The graph as a JSON document.
    public static func json(_ g: MapGraph) -> String { JSONText.document(verb: "map", MapJSON(g)) }
}
