@testable import Emit
import Foundation
import TestSupport
import Testing
import Yams
@testable import FlowModel
@testable import Inference
@testable import Policy

/// EmitTests' YAMLSafetyTests read the nasty plans back with Yams; here a second reader, PyYAML, must agree.
@Suite("YAML safety: PyYAML")
struct YAMLSafetyOracleTests {
    @Test("a YAML 1.1 reader (PyYAML, as kubectl-era tools) reads the same values as Yams")
    func pyYAMLAgrees() throws {
        var rng = SplitMix64(state: Nasty.seed ^ 0xBEEF)
        var streams = [String]()
        for _ in 0..<100 {
            let (plan, _) = Nasty.plan(&rng)
            for flavor in EmitOptions.Flavor.allCases {
                streams.append(PolicyEmitter(options: EmitSupport.options(flavor)).stream(for: plan))
            }
        }
        let all = streams.joined(separator: "---\n")
        let yams = try Yams.load_all(yaml: all).map { $0 as Any }
        let py = try #require(try Oracle.pyYAMLAsJSON(all) as? [Any])
        #expect(py.count == yams.count)
        for (i, (p, y)) in zip(py, yams).enumerated() {
            #expect(Tree.same(p, y), "document \(i) differs between PyYAML and Yams")
        }
    }
}
