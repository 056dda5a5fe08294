import Foundation
import TestSupport
import Testing
import FlowMapKit
import FlowModel
import FlowStore
import Policy

enum LiveSupport {
    static func tempDir() -> URL { Temporary.directory("flowmap-live") }

    /// A set that blocks part of the samples' traffic: ingress to bookinfo's reviews, egress from jaeger.
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
        """

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
    }
}
