import Foundation
import FlowMapKit
import FlowStore
import FlowModel
import Policy
import Testing

/// Issue 16 (T10): a store with two nodes of different labels (Node objects ingested as an inventory) and an
/// AdminNetworkPolicy denying egress to the nodes with a label while allowing the others: `check`, `explain`,
/// `map --policies` and `connectivity --db` give each node its own verdict from the one evaluator, and
/// `reserved:host` is the node the inventory puts the workload's pods on.
@Suite struct NodePeerVerbTests {
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")

    static let nodes = """
        {"apiVersion": "v1", "kind": "NodeList", "items": [
          {"metadata": {"name": "gpu-1", "labels": {"pool": "gpu"}},
           "status": {"addresses": [{"type": "InternalIP", "address": "10.9.0.1"}]}},
          {"metadata": {"name": "general-1", "labels": {"pool": "general"}},
           "status": {"addresses": [{"type": "InternalIP", "address": "10.9.0.2"}]}},
          {"kind": "Pod", "metadata": {"name": "api-5d8f7b9c4d-x2x7p", "namespace": "shop",
            "labels": {"app": "api", "pod-template-hash": "5d8f7b9c4d"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": "api-5d8f7b9c4d", "controller": true}],
            "creationTimestamp": "2024-01-01T00:00:00Z"},
           "spec": {"nodeName": "gpu-1"}, "status": {"podIP": "10.1.0.5", "hostIP": "10.9.0.1"}}
        ]}
        """

    static let policy = """
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: nodes}
        spec:
          priority: 5
          subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
          egress:
          - {name: deny-gpu, action: Deny, to: [{nodes: {matchLabels: {pool: gpu}}}]}
          - {name: allow-nodes, action: Allow, to: [{nodes: {}}]}
          - {name: deny-rest, action: Deny, to: [{networks: [0.0.0.0/0]}]}
        """

    static func edge(_ to: Endpoint, _ port: UInt16 = 10250) -> EdgeKey {
        EdgeKey(source: api, destination: to, proto: .tcp, port: port, outcome: .allowed)
    }

    /// A store with the edges (and the inventory with the Node objects when `withNodes`) and the policy file.
    static func inputs(in dir: URL, withNodes: Bool) throws -> (db: String, policies: String) {
        let path = dir.appendingPathComponent(withNodes ? "nodes.db" : "bare.db").path
        var b = IngestBatch()
        for k in [edge(.external("10.9.0.1")), edge(.external("10.9.0.2")), edge(.reserved("remote-node")),
                  edge(.reserved("host")), edge(.external("8.8.8.8"), 443)] {
            b.edges[k] = EdgeStats(flows: 3, firstSeen: 1, lastSeen: 2)
        }
        b.labelSets[api] = [["app": "api"].canonical]
        b.addresses[.reserved("remote-node")] = ["10.9.0.1", "10.9.0.2"]
        _ = try FlowStore(path: path).write(b, counts: IngestCounts(), path: "t", format: "test", contentHash: nil, now: 0)
        if withNodes {
            let file = dir.appendingPathComponent("nodes.json")
            TestSupport.write(nodes, to: file)
            let (_, issues) = try TestSupport.ingest([file.path], db: path)
            #expect(issues.isEmpty, "\(issues)")
        }
        let policies = dir.appendingPathComponent("p.yaml")
        TestSupport.write(policy, to: policies)
        return (path, policies.path)
    }

    @Test func eachNodeGetsItsOwnVerdict() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, policies) = try Self.inputs(in: dir, withNodes: true)
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        // The GPU node and the remote-node entity (one of its addresses is the GPU node's) are denied, the general
        // node allowed; a non-node address falls to deny-rest. api's pod runs on the GPU node: its own node too.
        #expect(check.report.denied.map(\.destination).sorted()
                == ["10.9.0.1", "8.8.8.8", "reserved:host", "reserved:remote-node"], "\(check.report.denied)")
        #expect(check.report.allowedConnections == 1)
        #expect(!check.notes.contains { $0.contains("nodes peer") }, "\(check.notes)")
        let decisions = try MapPolicies.evaluate(db: db, policiesPath: policies).verdicts.decisions
        for (ip, allowed, rule) in [("10.9.0.1", false, "egress[0]"), ("10.9.0.2", true, "egress[1]")] {
            let x = try Explain.run(Explain.Options(policies: [policies], db: db, source: Self.api.description,
                                                    destination: ip, port: "TCP/10250"))
            #expect(x.explanation.allowed == allowed, "explain \(ip)")
            #expect(x.explanation.text.contains("AdminNetworkPolicy/nodes \(rule) (Admin tier, priority 5)"),
                    "\(x.explanation.text)")
            #expect(decisions[Self.edge(.external(ip))]?.allowed == allowed, "map \(ip)")
        }
        let host = try Explain.run(Explain.Options(policies: [policies], db: db, source: Self.api.description,
                                                   destination: "reserved:host", port: "TCP/10250"))
        #expect(!host.explanation.allowed && host.explanation.text.contains("AdminNetworkPolicy/nodes egress[0]"))
        #expect(decisions[Self.edge(.reserved("host"))]?.allowed == false)
        let conn = try Connectivity.run(Connectivity.Options(policies: [policies], db: db))
        let toNodes = conn.entries.filter { $0.source == .endpoint(Self.api) }
            .map { "\($0.destination) \($0.connections)" }
        #expect(toNodes.contains("10.9.0.2 All Connections"), "\(toNodes)")
        #expect(!toNodes.contains { $0.hasPrefix("10.9.0.1") }, "\(toNodes)")
    }

    /// `diff --db` over the same nodes: dropping the GPU Deny changes what reaches the GPU node only.
    @Test func diffSeesTheNodeThatChanged() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, policies) = try Self.inputs(in: dir, withNodes: true)
        let relaxed = dir.appendingPathComponent("relaxed.yaml")
        let denyGPU = "  - {name: deny-gpu, action: Deny, to: [{nodes: {matchLabels: {pool: gpu}}}]}\n"
        #expect(Self.policy.contains(denyGPU))
        TestSupport.write(Self.policy.replacingOccurrences(of: denyGPU, with: ""), to: relaxed)
        let r = try Diff.run(Diff.Options(old: .manifests([policies]), new: .manifests([relaxed.path]), db: db))
        let changed = r.report.changes.filter { $0.source == Self.api.description }.map(\.destination)
        #expect(changed.contains { $0.contains("10.9.0.1") }, "\(r.report.changes)")
        #expect(!changed.contains { $0.contains("10.9.0.2") }, "\(changed)")
    }

    /// Without Node objects no nodes peer matches (the general node falls to deny-rest, the own node stays
    /// allowed: B5), and each verb warns.
    @Test func withoutNodeLabelsNothingMatchesAndItIsWarned() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, policies) = try Self.inputs(in: dir, withNodes: false)
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        #expect(check.report.denied.map(\.destination).sorted()
                == ["10.9.0.1", "10.9.0.2", "8.8.8.8", "reserved:remote-node"])
        let warning = "spec.egress[0].to[0]: nodes peer: no node labels are known"
        #expect(check.notes.contains { $0.hasPrefix("warning: ") && $0.contains(warning) }, "\(check.notes)")
        let x = try Explain.run(Explain.Options(policies: [policies], db: db, source: Self.api.description,
                                                destination: "10.9.0.2", port: "TCP/10250"))
        #expect(x.notes.contains { $0.contains(warning) })
        #expect(try MapPolicies.evaluate(db: db, policiesPath: policies).notes.contains { $0.contains(warning) })
    }
}
