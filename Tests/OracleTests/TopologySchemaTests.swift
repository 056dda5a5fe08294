import Foundation
import FlowMapKit
import FlowModel
import TestSupport
import Testing

/// The Cilium output of the topology captures (docs/topologies.md; Tests/FlowMapKitTests/Fixtures and
/// Tests/FormatTests/Fixtures/topologies) against the CiliumNetworkPolicy v2 CRD schema. FlowMapKitTests'
/// ClusterMeshTests and ServicesTests, and FormatTests' TopologyTests, check what it says.
@Suite("Topologies: the Cilium output against the CRD schema")
struct TopologySchemaTests {
    /// `generate --flavor cilium` (with `--services` when asked) of `inputs` (under `fixtures`, a target's
    /// Fixtures folder) ingested into a new store, after `inventory` when given; the stream, which must pass its
    /// self-check, validated by scripts/validate-cilium.py.
    static func validate(_ inputs: [String], inventory: String? = nil, fixtures: String = "FlowMapKitTests",
                         services: Bool = false) throws -> (Int32, String) {
        let dir = Temporary.directory("flowmap-topology")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("s.db").path
        var issues: [InputIssue] = []
        if let inventory {
            var o = Ingest.Options(db: db)
            o.format = .inventory
            _ = try Ingest.run(paths: [Repository.fixtures(fixtures, inventory).path], options: o) { issues.append($0) }
        }
        _ = try Ingest.run(paths: inputs.map { Repository.fixtures(fixtures, $0).path },
                           options: Ingest.Options(db: db)) { issues.append($0) }
        #expect(issues.isEmpty, "\(issues)")
        var o = Generate.Options(db: db, out: "-")
        o.emit.flavor = .cilium
        o.inference.services = services
        let r = try Generate.run(o)
        #expect(!r.selfCheck.failed, "\(inputs): \(r.selfCheck.findings)")
        let file = dir.appendingPathComponent("cilium.yaml")
        try #require(r.stream).write(to: file, atomically: true, encoding: .utf8)
        return try Oracle.ciliumValidate([file.path])
    }

    @Test("ClusterMesh: peers of another cluster selected with io.cilium.k8s.policy.cluster follow the schema")
    func clusterMesh() throws {
        let (status, out) = try Self.validate(["clustermesh/two-clusters.jsonl"])
        #expect(status == 0 && out.contains(" valid, 0 invalid"), "\(out)")
    }

    @Test("Services: toServices rules (--services) follow the schema")
    func services() throws {
        let (status, out) = try Self.validate(["services/three-services-inventory.json", "services/three-services.jsonl"],
                                              services: true)
        #expect(status == 0 && out.contains(" valid, 0 invalid"), "\(out)")
    }

    @Test("Ingress controllers, Envoy, webhooks (from an address, from the nodes) and host-network peers follow the schema",
          arguments: [(inventory: "cluster.json", captures: ["ingress-controller.jsonl", "envoy-ingress.jsonl"]),
                      ("cluster.json", ["webhook-call.jsonl"]), ("cluster.json", ["webhook-call-remote-node.jsonl"]),
                      ("host-network-cluster.json", ["host-network.jsonl"])])
    func formatTopologies(_ input: (inventory: String, captures: [String])) throws {
        let (status, out) = try Self.validate(input.captures.map { "topologies/" + $0 },
                                              inventory: "topologies/" + input.inventory, fixtures: "FormatTests")
        #expect(status == 0 && !out.hasPrefix("0 valid") && out.contains(" valid, 0 invalid"), "\(out)")
    }
}
