import FlowMapView
import FlowModel
import Policy

/// `flowmap summary --output json` (schema/summary.schema.json).
struct SummaryJSON: Encodable {
    struct Talker: Encodable {
        var endpoint: String
        var flows: Int64
        var flows_out: Int64
        var flows_in: Int64
        var peers: Int
    }
    struct Namespace: Encodable {
        var name: String
        var workloads: Int
        /// Absent: no --policies given.
        var policies: Int?
        /// Workloads `generate` would write an allow for; absent: nothing (no allowed flows, or a system namespace).
        var generated_allows: Int?
    }
    struct InternetPort: Encodable {
        var workload: String
        var port: PortJSON
        var sources: [String]
        var flows: Int64
    }
    /// A denied connection's drop reasons beside it.
    struct DropReasons: Encodable {
        var drop_reasons: [String]
    }
    var edges: Int
    var flows: Int64
    /// Absent for a store without flows.
    var first_seen: String?
    var last_seen: String?
    var policies_given: Bool
    var top_talkers: [Talker]
    var namespaces: [Namespace]
    var internet_ports: [InternetPort]
    var denied: [Merged<ConnectionJSON, DropReasons>]

    init(_ r: SummaryReport) {
        edges = r.edgeCount
        flows = r.totalFlows
        first_seen = r.firstSeen.map(Timestamp.format)
        last_seen = r.lastSeen.map(Timestamp.format)
        policies_given = r.policiesGiven
        top_talkers = r.talkers.map {
            Talker(endpoint: $0.endpoint.description, flows: $0.total, flows_out: $0.flowsOut, flows_in: $0.flowsIn,
                   peers: $0.peers)
        }
        namespaces = r.namespaces.map {
            Namespace(name: $0.name, workloads: $0.workloads, policies: $0.policies, generated_allows: $0.planned)
        }
        internet_ports = r.internetPorts.map {
            InternetPort(workload: $0.workload.description, port: PortJSON($0.proto, Int($0.port)), sources: $0.sources,
                         flows: $0.flows)
        }
        denied = r.denied.map {
            Merged(ConnectionJSON(source: $0.key.source.description, destination: $0.key.destination.description,
                                  port: PortJSON($0.key.proto, Int($0.key.port)), flows: $0.stats.flows,
                                  firstSeen: Timestamp.format($0.stats.firstSeen),
                                  lastSeen: Timestamp.format($0.stats.lastSeen)),
                   DropReasons(drop_reasons: $0.stats.dropReasons.sorted()))
        }
    }
}
