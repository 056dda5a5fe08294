import Foundation
import Testing
@testable import FlowMapKit
import FlowMapView
import FlowModel
import FlowIngest
import FlowStore
import Inference
import Policy

@Suite("generate --named-ports with an ingested inventory")
struct NamedPortsTests {
    @Test("container port names from the inventory replace numbers only with the option")
    func namedPorts() throws {
        let root = TestSupport.repoRoot.appendingPathComponent("samples")
        let inputs = ["inventory/vpc-sample-cluster.json", "vpc/flowmap-v5-all-fields.log", "vpc/flowmap-v8-ecs.log",
                      "vpc/flowmap-tgw-default.log", "vpc/awsdocs_flow-logs-records-examples_codeblocks.txt"]
            .map { root.appendingPathComponent($0).path }
        let dir = TestSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        _ = try TestSupport.ingest(inputs, db: db)
        let plain = try Generate.run(Generate.Options(db: db, out: "-", allowBreaks: true)).stream!
        var o = Generate.Options(db: db, out: "-", allowBreaks: true)
        o.inference.namedPorts = true
        let named = try Generate.run(o)
        let text = named.stream!
        #expect(!plain.contains("port: ssh") && !plain.contains("port: iperf"))
        #expect(text.contains("port: ssh"))
        #expect(text.contains("port: iperf"))
        #expect(!named.plan.warnings.contains { $0.description.contains("--named-ports") })
        // Only names change: the same number of port entries.
        #expect(text.components(separatedBy: "port: ").count == plain.components(separatedBy: "port: ").count)
    }
}
