@testable import Emit
import Foundation
import FlowModel
import TestSupport
import Testing
@testable import Inference
@testable import Policy

/// Port ranges (issue 23) through network-config-analyzer: the NetworkPolicy output admits exactly the range, and
/// without ranges only the observed ports (PropertyTests' PortRangeTests checks the same with both evaluators).
@Suite("Port ranges through network-config-analyzer")
struct PortRangeNCATests {
    @Test("NetworkPolicy output admits exactly the range in network-config-analyzer; without ranges the observed ports")
    func throughNCA() throws {
        let g = PortRanges.defaultMaxGap
        let observed = PortRangeCase.spaced(UInt16(g + 1))
        let want = Array(30000...(30000 + 7 * (g + 1))) + [21]
        var emit = EmitOptions()
        emit.version = "test"
        let np = NetworkPolicyEmitter(options: emit).stream(for: PortRangeCase.plan(observed))
        let single = NetworkPolicyEmitter(options: emit).stream(for: PortRangeCase.plan(observed, ranges: false))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-nca-ranges-\(getpid())")
        let results = try NCAOracle.run(cases: [PortRangeCase.cluster + "---\n" + np, PortRangeCase.cluster + "---\n" + single],
                                        workDir: work)
        func nca(_ lines: [NCAOracle.Line]) -> [Int] {
            var c = ConnectionSet.none
            for l in lines where l.source == .pod("media/ftp-client") && l.destination == .pod("media/ftp-server") {
                c.formUnion(l.connections)
            }
            return PortRangeCase.admitted(c)
        }
        #expect(nca(results[0]) == want)
        #expect(nca(results[1]) == observed.map(Int.init) + [21])
        try? FileManager.default.removeItem(at: work)
    }
}
