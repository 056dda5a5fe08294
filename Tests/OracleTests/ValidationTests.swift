@testable import Emit
import Foundation
import TestSupport
import Testing
@testable import Inference
@testable import Policy

/// Every document the tests emit goes through the real validators: kubernetes-validate (Kubernetes 1.30 and
/// 1.37 schemas, strict) for NetworkPolicy, and the CiliumNetworkPolicy v2 CRD schema (jsonschema, strict)
/// for Cilium.
@Suite("Validation against the API schemas")
struct ValidationTests {
    static func emitted(_ flavor: EmitOptions.Flavor, under dir: URL) throws -> [String] {
        let plan = try EmitSupport.samplesPlan.get()
        var paths = [String]()
        for layout in EmitOptions.Layout.allCases {
            let files = PolicyEmitter(options: EmitSupport.options(flavor, layout)).files(for: plan)
                .filter { $0.name.hasSuffix(".yaml") && $0.name != "kustomization.yaml" }
            paths += try EmitSupport.write(files, under: dir.appendingPathComponent("samples-\(layout.rawValue)"))
        }
        let synthetic = PolicyEmitter(options: EmitSupport.options(flavor)).files(for: SyntheticPlan.plan)
            .filter { $0.name.hasSuffix(".yaml") && $0.name != "kustomization.yaml" }
        paths += try EmitSupport.write(synthetic, under: dir.appendingPathComponent("synthetic"))
        return paths
    }

    @Test("NetworkPolicy output passes kubernetes-validate for 1.30 and 1.37", arguments: ["1.30.0", "1.37.0"])
    func kubernetes(_ version: String) throws {
        let dir = EmitSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.emitted(.k8s, under: dir)
        #expect(files.count > 10)
        let (status, output) = try Oracle.kubernetesValidate(files, version: version)
        #expect(status == 0, "kubernetes-validate \(version): \(output)")
    }

    @Test("CiliumNetworkPolicy output validates against the v2 CRD schema")
    func cilium() throws {
        let dir = EmitSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.emitted(.cilium, under: dir)
        let (status, output) = try Oracle.ciliumValidate(files)
        #expect(status == 0, "validate-cilium: \(output)")
        #expect(output.contains(" valid, 0 invalid"))
    }

    @Test("the Cilium validator rejects a broken policy (so the test above can fail)")
    func ciliumCanFail() throws {
        let dir = EmitSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: Bad_Name, namespace: shop}
            spec:
              endpointSelector: {matchLabels: {app: web}}
              egress:
                - toEndpoints: [{matchLabels: {app: db}}]
                  toPorts: [{ports: [{port: 5432, protocol: TCP}], rules: {http: [{method: GET, pth: /}]}}]

            """
        let paths = try EmitSupport.write([("bad.yaml", bad)], under: dir)
        let (status, output) = try Oracle.ciliumValidate(paths)
        #expect(status != 0)
        #expect(output.contains("metadata.name"))
        #expect(output.contains("is not of type 'string'"))  // port must be a string
        #expect(output.contains("'pth' was unexpected"))
    }
}
