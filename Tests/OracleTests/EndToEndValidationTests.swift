import Foundation
import FlowMapKit
import TestSupport
import Testing

/// What `generate` writes from the shared Hubble samples, against kubernetes-validate (moved from FlowMapKitTests'
/// EndToEndTests).
@Suite("End to end: the generated NetworkPolicies against kubernetes-validate")
struct EndToEndValidationTests {
    @Test("emitted policies pass kubernetes-validate for Kubernetes 1.30 and 1.37")
    func kubernetesValidate() throws {
        let dir = Temporary.directory("flowmap-validate")
        let db = dir.appendingPathComponent("s.db").path
        _ = try Ingest.run(paths: Repository.hubbleSamples.map(\.path), options: Ingest.Options(db: db)) { _ in }
        let out = dir.appendingPathComponent("out").path
        let r = try Generate.run(Generate.Options(db: db, out: out, allowBreaks: true))
        let files = r.files.filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }.map { out + "/" + $0 }
        #expect(!files.isEmpty)
        for v in ["1.30.0", "1.37.0"] {
            let (status, output) = try Oracle.kubernetesValidate(files, version: v)
            #expect(status == 0, "kubernetes-validate \(v): \(output)")
        }
        // And a deliberately broken policy fails, so this test can fail.
        let bad = dir.appendingPathComponent("bad.yaml").path
        try """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bad}
            spec: {podSelector: {}, ingress: [{ports: [{port: 80, protocol: TCP, bogus: 1}]}]}
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        let (badStatus, _) = try Oracle.kubernetesValidate([bad], version: "1.30.0")
        #expect(badStatus != 0)
    }
}
