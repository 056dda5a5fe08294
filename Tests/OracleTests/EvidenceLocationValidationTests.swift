@testable import Emit
import Foundation
import FlowMapKit
import Inference
import TestSupport
import Testing
@testable import Policy

/// Issue 14, against kubernetes-validate: the folder `kubectl apply -f DIR` reads holds Kubernetes objects only (the
/// evidence report is in `DIR/evidence/`). EmitTests' EvidenceLocationTests keeps the rest of issue 14.
@Suite("The evidence report stays out of the applied folder: kubernetes-validate")
struct EvidenceLocationValidationTests {
    @Test("every file `kubectl apply -f DIR` reads is a Kubernetes object kubernetes-validate accepts")
    func appliedFolder() throws {
        let (out, r) = try EmitSupport.generated(.perNamespace)
        #expect(r.files.contains(EvidenceReport.jsonFile) && r.files.contains(EvidenceReport.markdownFile))
        // kubectl reads .json, .yaml and .yml of the folder itself (-f DIR, no -R); kustomization.yaml is for
        // `kubectl apply -k DIR`, which applies the files it lists.
        let applied = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
            .filter { ["json", "yaml", "yml"].contains(($0 as NSString).pathExtension) && $0 != "kustomization.yaml" }
            .map { out.appendingPathComponent($0).path }
        #expect(applied.count >= 2)
        let (status, output) = try Oracle.kubernetesValidate(applied, version: "1.30.0")
        #expect(status == 0, "kubernetes-validate: \(output)")
    }
}
