@testable import Emit
import FlowModel
@testable import Inference
@testable import Policy

/// The passive-FTP shaped case of PortRangeTests (PropertyTests) and PortRangeNCATests (OracleTests, which links
/// this file): a client opens the control port 21, then data connections to ports of the server's passive range.
enum PortRangeCase {
    static let client = Endpoint.workload("media", "ftp-client", kind: "Pod")
    static let server = Endpoint.workload("media", "ftp-server", kind: "Pod")
    static let t0: Int64 = 1_750_000_000_000_000_000

    static func evidence(_ ports: [UInt16], proto: Proto = .tcp) -> Evidence {
        let edges = ([21] + ports).map { p in
            ObservedEdge(key: EdgeKey(source: client, destination: server, proto: p == 21 ? .tcp : proto, port: p,
                                      outcome: .allowed),
                         stats: EdgeStats(flows: 3, firstSeen: t0, lastSeen: t0 + 1_000_000_000))
        }
        return Evidence(edges: edges, labelSets: [client: [["app": "ftp-client"]], server: [["app": "ftp-server"]]],
                        namespaceLabels: ["media": ["kubernetes.io/metadata.name": "media"]])
    }

    static func plan(_ ports: [UInt16], ranges: Bool = true) -> PolicyPlan {
        var o = InferenceOptions()
        o.portRanges = ranges
        return Inferrer(options: o).infer(evidence(ports))
    }

    /// The server's ingress port entries as `port` or `port-endPort`.
    static func ingress(_ p: PolicyPlan) -> [String] {
        p.namespaces.flatMap(\.workloads).filter { $0.endpoint == server }.flatMap(\.ingress).flatMap(\.ports)
            .map(\.portText)
    }

    /// Eight ports, neighbours `step` apart (`step - 1` unobserved ports between them).
    static func spaced(_ step: UInt16, count: Int = 8) -> [UInt16] { (0..<UInt16(count)).map { 30000 + $0 * step } }

    /// Namespace and bare pods the policies apply to, for the evaluators and NCA: the client and the server, each
    /// labelled `app: <its name>`.
    static let cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: media, labels: {kubernetes.io/metadata.name: media}}

        """ + [(client, "10.0.0.1"), (server, "10.0.0.2")].map { pod, ip in
            """
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(pod.name), namespace: \(pod.namespace), labels: {app: \(pod.name)}}
            spec: {containers: [{name: c, image: x}]}
            status: {podIP: \(ip)}

            """
        }.joined()

    /// What the server admits from the client on TCP 29990...30030, as the sorted ports allowed.
    static func admitted(_ c: ConnectionSet) -> [Int] { (29990...30030).filter { c.contains(.tcp, $0) } + (c.contains(.tcp, 21) ? [21] : []) }
}
