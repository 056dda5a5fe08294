@testable import Emit
import Foundation
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// `evidence.json` / `evidence.md`: the exact evidence the policies no longer carry.
@Suite("Evidence report")
struct EvidenceReportTests {
    @Test("the report is listed in no kustomization, starts with the generated marker, and is sorted")
    func placement() throws {
        let plan = try EmitSupport.samplesPlan.get()
        for layout in EmitOptions.Layout.allCases {
            let files = PolicyEmitter(options: EmitSupport.options(.cilium, layout)).files(for: plan)
            let k = try #require(files.first { $0.name == "kustomization.yaml" })
            #expect(!k.text.contains("evidence"))
            let json = try #require(files.first { $0.name == "evidence/evidence.json" }).text
            let md = try #require(files.first { $0.name == "evidence/evidence.md" }).text
            #expect(json.hasPrefix(PolicyEmitter.generatedJSONMarker))
            #expect(md.hasPrefix(PolicyEmitter.generatedMarker))
        }
        let r = EvidenceReport(plan: plan, version: "t")
        let keys = r.rules.map { [$0.namespace, $0.policy, $0.direction] }
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(r.rules.contains { $0.flows > 0 && $0.lastSeen != nil && !$0.examples.isEmpty })
        #expect(r.denied.count == plan.denied.count)
    }

    @Test("capture text in evidence.md cannot make markup")
    func markdownEscaped() {
        #expect(EvidenceReport.md("a|b<script>`x`\n*y*") == "a\\|b&lt;script&gt;\\`x\\`?\\*y\\*")
    }

    /// Every character class a JSON string writer must get right, and every optional field present and absent.
    static var hostile: EvidenceReport {
        var r = EvidenceReport(plan: SyntheticPlan.plan, version: "t")
        let weird = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\"\\/ \u{7F} é 😀 \u{2028} <&>"
        r.warnings.append(weird)
        r.rules[0].examples = [weird, "plain"]
        r.rules[0].portName = "p-\(weird)"
        r.rules[0].firstSeen = nil
        r.rules[0].http = [EvidenceReport.HTTP(method: "GET", pathRegex: "^/a/[^/]+$", pathTemplate: "/a/{id}", requests: 7,
                                firstSeen: "x", lastSeen: "y", examples: [weird])]
        r.denied = [EvidenceReport.Denied(source: weird, destination: "d", protocol: "TCP", port: 22, flows: 2, firstSeen: "",
                           lastSeen: "", dropReasons: [])]
        return r
    }

    @Test("the streamed evidence.json is byte-identical to JSONEncoder's, for the samples, the synthetic plan and every character class")
    func streamedEqualsEncoder() throws {
        var reports = [EvidenceReport(plan: try EmitSupport.samplesPlan.get(), version: "t"),
                       EvidenceReport(plan: SyntheticPlan.plan, version: "t"), Self.hostile]
        var bare = Self.hostile
        bare.evidenceWindow = nil
        bare.rules = []
        bare.warnings = []
        reports.append(bare)
        for r in reports {
            #expect(r.json == JSONText.encode(r))
        }
        let decoded = try JSONDecoder().decode(EvidenceReport.self, from: Data(Self.hostile.json.utf8))
        #expect(decoded == Self.hostile)
    }
}
