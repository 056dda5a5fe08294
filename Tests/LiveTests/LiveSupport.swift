import Foundation
import TestSupport
import Testing
import FlowMapKit
import FlowModel
import FlowStore
import Policy

enum LiveSupport {
    static func tempDir() -> URL { Temporary.directory("flowmap-live") }

    /// A set that blocks part of the samples' traffic, through each evaluator path watch shares with check:
    /// NetworkPolicy ingress to bookinfo's reviews (and egress from jaeger); Cilium egress of bookinfo's ratings
    /// (DNS only: ratings -> productpage blocked); a Cilium L7 rule on prometheus's egress (GET /healthz only: its
    /// GET /metrics to kube-dns is rejected, its other egress blocked at L4).
    static let policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: reviews-ingress, namespace: bookinfo}
        spec:
          podSelector: {matchLabels: {app: reviews}}
          policyTypes: [Ingress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: no-egress, namespace: jaeger}
        spec:
          podSelector: {}
          policyTypes: [Egress]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: ratings-egress, namespace: bookinfo}
        spec:
          endpointSelector: {matchLabels: {app: ratings}}
          egress:
          - toEndpoints:
            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
            toPorts:
            - ports: [{port: "53", protocol: UDP}]
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: prometheus-egress, namespace: istio-system}
        spec:
          endpointSelector: {matchLabels: {app: prometheus}}
          egress:
          - toEndpoints:
            - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system}
            toPorts:
            - ports: [{port: "10054", protocol: TCP}]
              rules:
                http: [{method: GET, path: /healthz}]
        """

    /// The set blocks through each path: a NetworkPolicy, a Cilium policy at L4, a Cilium L7 rule.
    static func expectEveryPath(_ denied: [PolicyCheck.Item]) {
        #expect(denied.contains { $0.destinationIngressPolicies.contains("bookinfo/reviews-ingress") })
        #expect(denied.contains { $0.sourceEgressPolicies.contains { $0.hasPrefix("CiliumNetworkPolicy bookinfo/") } })
        #expect(denied.contains { $0.note.contains("rejected by rules.http") })
    }

    static func writePolicies(in dir: URL) -> String {
        let p = dir.appendingPathComponent("policies.yaml")
        try! policies.write(to: p, atomically: true, encoding: .utf8)
        return p.path
    }

    /// The sample flows' lines as one capture file.
    static func capture(_ lines: [String], in dir: URL) -> String {
        let p = dir.appendingPathComponent("capture.jsonl")
        try! (lines.joined(separator: "\n") + "\n").write(to: p, atomically: true, encoding: .utf8)
        return p.path
    }

    static func ingest(_ path: String, db: String) throws -> Ingest.Report {
        try Ingest.run(paths: [path], options: Ingest.Options(db: db)) { _ in }
    }

    /// What `check` reports as breaking, keyed as watch reports it.
    struct Blocked: Hashable, CustomStringConvertible {
        var source: String, destination: String, proto: String, port: Int, note: String, flows: Int64
        init(_ i: PolicyCheck.Item) {
            source = i.source
            destination = i.destination
            proto = i.proto
            port = i.port
            note = i.note
            flows = i.flows
        }
        var description: String { "\(source) -> \(destination) \(proto)/\(port) \(note) \(flows)" }
    }

    /// The latest count of each connection watch reported as blocked.
    static func blocked(_ events: [Watch.Event]) -> Set<Blocked> {
        var latest: [String: Blocked] = [:]
        for e in events {
            switch e {
            case .blocked(let i), .update(let i, _):
                let b = Blocked(i)
                latest["\(b.source)|\(b.destination)|\(b.proto)|\(b.port)|\(b.note)"] = b
            case .unresolved: break
            }
        }
        return Set(latest.values)
    }

    /// Two stores hold the same evidence: edges with counts and times, labels, addresses, names, L7.
    static func expectSameStore(_ a: String, _ b: String) throws {
        let x = try FlowStore(path: a), y = try FlowStore(path: b)
        let ex = try x.edges(), ey = try y.edges()
        #expect(ex.count == ey.count)
        #expect(ex == ey)
        #expect(try x.labelSets() == y.labelSets())
        #expect(try x.addresses() == y.addresses())
        #expect(try x.names() == y.names())
        #expect(try x.l7() == y.l7())
        #expect(try x.namespaceLabels() == y.namespaceLabels())
        #expect(try x.endpoints() == y.endpoints())
        #expect(try x.services() == y.services())
    }
}
