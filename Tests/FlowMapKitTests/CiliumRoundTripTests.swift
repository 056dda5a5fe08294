import Emit
import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowStore
import Inference
import FlowModel
import Policy
import Testing

/// `generate --flavor cilium` output checked against its own store (issue 15): nothing breaks; a mutated set
/// is reported with the workload named; observed requests outside the L7 rules break.
@Suite struct CiliumRoundTripTests {
    static let frontend = Endpoint.workload("shop", "frontend", kind: "Deployment")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")
    static let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
    static let external = Endpoint.external("203.0.113.10")

    static func store() throws -> (db: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-cilium-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("f.db").path
        var b = IngestBatch()
        let s = EdgeStats(flows: 10, firstSeen: 1, lastSeen: 2)
        let http = EdgeKey(source: frontend, destination: api, proto: .tcp, port: 8080, outcome: .allowed)
        let query = EdgeKey(source: frontend, destination: dns, proto: .udp, port: 53, outcome: .allowed)
        b.edges[http] = s
        b.edges[query] = s
        b.edges[EdgeKey(source: frontend, destination: external, proto: .tcp, port: 443, outcome: .allowed)] = s
        b.l7[L7Key(edge: http, request: .http(method: "GET", path: "/items"))] = s
        b.l7[L7Key(edge: query, request: .dns(query: "api.example.com"))] = s
        b.names[external] = ["api.example.com"]
        b.labelSets[frontend] = [(["app": "frontend"] as Labels).canonical]
        b.labelSets[api] = [(["app": "api"] as Labels).canonical]
        b.labelSets[dns] = [(["k8s-app": "kube-dns"] as Labels).canonical]
        b.namespaceLabels["shop"] = (["kubernetes.io/metadata.name": "shop"] as Labels)
        b.namespaceLabels["kube-system"] = (["kubernetes.io/metadata.name": "kube-system"] as Labels)
        _ = try FlowStore(path: db).write(b, counts: IngestCounts(), path: "test", format: "test", contentHash: nil, now: 0)
        return (db, dir)
    }

    static func generated(_ db: String) throws -> String {
        let plan = try Generate.plan(db: db, options: InferenceOptions())
        return CiliumPolicyEmitter(options: EmitOptions()).stream(for: plan)
    }

    static func write(_ text: String, _ dir: URL, _ name: String) throws -> String {
        let f = dir.appendingPathComponent(name)
        try text.write(to: f, atomically: true, encoding: .utf8)
        return f.path
    }

    @Test func generatedCiliumPoliciesBreakNothingOnTheirOwnStore() throws {
        let (db, dir) = try Self.store()
        let text = try Self.generated(db)
        #expect(text.contains("rules:") && text.contains("http:") && text.contains("toFQDNs:"), "\(text)")
        let r = try Check.run(Check.Options(policies: [try Self.write(text, dir, "cilium.yaml")], db: db))
        #expect(r.policies > 0)
        #expect(!r.report.breaks, "\(r.report.denied)")
        #expect(r.report.allowedConnections == 3)
    }

    @Test func emptiedIngressIsReportedWithTheWorkloadNamed() throws {
        let (db, dir) = try Self.store()
        var set = ManifestReader.parse(text: try Self.generated(db), file: "g.yaml")
        let i = try #require(set.ciliumPolicies.firstIndex { p in
            p.rules.contains { r in
                if case .endpoints(let s) = r.subject { return s.description.contains("app=api") && r.ingress != nil }
                return false
            }
        })
        // The api's allow policy with its ingress emptied: `ingress: [{}]` allows nothing.
        let text = try Self.generated(db)
        let docs = text.components(separatedBy: "\n---\n")
        let name = set.ciliumPolicies[i].name
        let mutated = docs.map { d -> String in
            guard d.contains("name: \(name)\n") else { return d }
            let head = d.components(separatedBy: "\n  ingress:\n")[0]
            return head + "\n  ingress:\n    - {}\n"
        }.joined(separator: "\n---\n")
        set = ManifestReader.parse(text: mutated, file: "m.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        let r = try Check.run(Check.Options(policies: [try Self.write(mutated, dir, "mutated.yaml")], db: db))
        #expect(r.report.breaks)
        #expect(r.report.denied.map(\.destination) == ["shop/api[Deployment]"])
        #expect(r.report.denied.first?.deniedBy == ["ingress"])
        #expect(r.report.denied.first?.destinationIngressPolicies.contains { $0.contains(name) } == true)
    }

    @Test func requestsOutsideTheL7RulesBreak() throws {
        let (db, dir) = try Self.store()
        // The namespace's DNS baseline allows every name (`matchPattern: "*"`): L7 rules are a union (CL3), so
        // narrow it too for the workload's own `rules.dns` to decide.
        let text = try Self.generated(db)
            .replacingOccurrences(of: "method: GET", with: "method: POST")
            .replacingOccurrences(of: "matchName: api.example.com", with: "matchName: other.example.com")
            .replacingOccurrences(of: "matchPattern: \"*\"", with: "matchPattern: \"*.internal\"")
            .replacingOccurrences(of: "matchPattern: '*'", with: "matchPattern: '*.internal'")
        let r = try Check.run(Check.Options(policies: [try Self.write(text, dir, "l7.yaml")], db: db))
        let notes = r.report.denied.map(\.note).filter { !$0.isEmpty }.sorted()
        #expect(notes == ["DNS query api.example.com: outside rules.dns", "HTTP GET /items: rejected by rules.http"], "\(r.report.denied)")
        #expect(r.report.denied.first { $0.note.hasPrefix("HTTP") }?.deniedBy == ["egress", "ingress"])
        // The toFQDNs name changed too: the address is no longer selected at L4.
        #expect(r.report.denied.filter { $0.note.isEmpty }.map(\.destination).map { $0.contains("203.0.113.10") } == [true])
        #expect(r.report.breaks)
    }
}

/// connectivity and diff answer from Cilium policies through the same façade calls.
@Suite struct CiliumVerbsTests {
    static var examples: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PolicyTests/Fixtures/cilium-examples").path
    }

    @Test func connectivityAndDiffEvaluateCiliumPolicies() throws {
        let ex = Self.examples
        let c = try Connectivity.run(Connectivity.Options(policies: [ex + "/cluster.yaml", ex + "/l3.yaml"]))
        let toBackend = c.entries.filter { $0.destination.description.hasPrefix("default/backend") }
            .map(\.source.description).filter { !$0.hasPrefix("default/backend") }
        #expect(toBackend == ["default/frontend[Pod]"], "\(toBackend)")
        let d = try Diff.run(Diff.Options(old: .manifests([ex + "/cluster.yaml"]),
                                          new: .manifests([ex + "/cluster.yaml", ex + "/l3.yaml"])))
        #expect(!d.report.isEmpty)
        let same = try Diff.run(Diff.Options(old: .manifests([ex + "/cluster.yaml", ex + "/l3.yaml"]),
                                             new: .manifests([ex + "/l3.yaml", ex + "/cluster.yaml"])))
        #expect(same.report.isEmpty)
    }
}
