import Foundation
import FlowMapKit
import FlowModel
import TestSupport
import Testing

/// The Cilium output of the topology captures (docs/topologies.md; Tests/FlowMapKitTests/Fixtures) against the
/// CiliumNetworkPolicy v2 CRD schema. FlowMapKitTests' ClusterMeshTests and ServicesTests check what it says.
@Suite("Topologies: the Cilium output against the CRD schema")
struct TopologySchemaTests {
    /// `generate --flavor cilium` (with `--services` when asked) of `inputs` ingested into a new store; the stream
    /// validated by scripts/validate-cilium.py.
    static func validate(_ inputs: [String], services: Bool = false) throws -> (Int32, String) {
        let dir = Temporary.directory("flowmap-topology")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("s.db").path
        var issues: [InputIssue] = []
        _ = try Ingest.run(paths: inputs.map { Repository.fixtures("FlowMapKitTests", $0).path },
                           options: Ingest.Options(db: db)) { issues.append($0) }
        #expect(issues.isEmpty, "\(issues)")
        var o = Generate.Options(db: db, out: "-")
        o.emit.flavor = .cilium
        o.inference.services = services
        let file = dir.appendingPathComponent("cilium.yaml")
        try #require(try Generate.run(o).stream).write(to: file, atomically: true, encoding: .utf8)
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
}
