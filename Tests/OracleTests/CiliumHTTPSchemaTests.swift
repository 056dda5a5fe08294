@testable import Emit
import Foundation
import TestSupport
import Testing
@testable import Inference
@testable import Policy

/// Issue 12: EmitTests' CiliumHTTPRegexTests check that observed methods are escaped; here the same rules meet the
/// CiliumNetworkPolicy v2 CRD schema.
@Suite("Cilium HTTP rules against the CRD schema")
struct CiliumHTTPSchemaTests {
    @Test("the escaped rules validate against the CiliumNetworkPolicy v2 CRD schema")
    func validates() throws {
        let dir = EmitSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [(name: String, text: String)] = []
        for (i, p) in [CiliumHTTPCases.plan(CiliumHTTPCases.observed), CiliumHTTPCases.plan([("BAD METHOD", "/a")])].enumerated() {
            files += PolicyEmitter(options: EmitSupport.options(.cilium)).files(for: p)
                .filter { $0.name.hasSuffix(".yaml") && $0.name != "kustomization.yaml" }.map { ("\(i)/\($0.name)", $0.text) }
        }
        let paths = try EmitSupport.write(files, under: dir)
        let (status, output) = try Oracle.ciliumValidate(paths)
        #expect(status == 0, "validate-cilium: \(output)")
        #expect(output.contains(" valid, 0 invalid"), "\(output)")
    }
}
