import Foundation
import TestSupport
import Testing

/// Cilium's documentation examples (Tests/PolicyTests/Fixtures/cilium-examples, SOURCES.md there) against the
/// CiliumNetworkPolicy v2 CRD schema, so PolicyTests' CiliumExamplesTests evaluates valid policies.
@Suite struct CiliumExamplesSchemaTests {
    @Test func examplesValidateAgainstTheCRDSchema() throws {
        let dir = Repository.fixtures("PolicyTests", "cilium-examples")
        // cluster.yaml and http-sw-app.yaml are the examples' pods and namespaces, not policies.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            .filter { $0.hasSuffix(".yaml") && $0 != "cluster.yaml" && $0 != "http-sw-app.yaml" }
        #expect(files.count == 11, "\(files)")
        let (status, out) = try Oracle.ciliumValidate(files.map { dir.appendingPathComponent($0).path },
                                                      allowMissingNamespace: true)
        #expect(status == 0, "validate-cilium: \(out)")
        #expect(out.contains("12 valid, 0 invalid"))
    }
}
