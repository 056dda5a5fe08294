@testable import Emit
import Foundation
import FlowMapKit
import Inference
import Testing
@testable import Policy

/// Issue 14: the evidence report is not a Kubernetes object. It is written to `DIR/evidence/`, out of the folder
/// `kubectl apply -f DIR` reads, and `check`/`diff` of DIR do not count it as a document.
@Suite("The evidence report stays out of the applied folder")
struct EvidenceLocationTests {
    @Test("check/diff of the generated folder count no evidence document, for both layouts and an earlier layout",
          arguments: EmitOptions.Layout.allCases)
    func notADocument(_ layout: EmitOptions.Layout) throws {
        let (out, _) = try EmitSupport.generated(layout)
        // An earlier FlowMap wrote the report beside the policies: it is not counted either.
        let json = try String(contentsOf: out.appendingPathComponent(EvidenceReport.jsonFile), encoding: .utf8)
        try json.write(to: out.appendingPathComponent("evidence.json"), atomically: true, encoding: .utf8)
        let loaded = try PolicyInputs.load([out.path], requirePolicies: true)
        #expect(loaded.manifests.skipped == ["Kustomization": 1], "\(loaded.notes)")
        #expect(loaded.manifests.issues.isEmpty)
    }

    @Test("a stale evidence report an earlier FlowMap wrote beside the policies is removed; a namespace called evidence gets a directory of its own")
    func staleAndCollision() throws {
        let (out, r) = try EmitSupport.generated(.perWorkload)
        let old = out.appendingPathComponent("evidence.json")
        let json = try String(contentsOf: out.appendingPathComponent(EvidenceReport.jsonFile), encoding: .utf8)
        try json.write(to: old, atomically: true, encoding: .utf8)
        var o = Generate.Options(db: out.deletingLastPathComponent().appendingPathComponent("s.db").path, out: out.path,
                                 allowBreaks: true)
        o.emit.layout = .perWorkload
        let again = try Generate.run(o)
        #expect(again.removed == ["evidence.json"])
        #expect(again.files == r.files)
        let plan = PolicyPlan(namespaces: [NamespacePlan(name: "evidence", workloads: [])], denied: [], warnings: [],
                              firstSeen: nil, lastSeen: nil)
        #expect(EmitCommon.namespaceStems(plan, layout: .perWorkload) != ["evidence"])
        #expect(EmitCommon.namespaceStems(plan, layout: .perNamespace) == ["evidence"])
    }
}
