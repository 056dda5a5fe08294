@testable import Emit
import Foundation
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// Port ranges (issue 23): dense observed ports of one peer become one `endPort` range only under the documented
/// rule (`PortRanges`: at least `minPorts` distinct ports, at most `maxGap` unobserved ports between neighbours),
/// checked through the plan, both emitters, the evaluators and network-config-analyzer (OracleTests PortRangeNCATests).
///
/// The case (`PortRangeCase`) is shaped like a passive-FTP capture: a client opens the control port 21, then data connections to
/// ports of the server's passive range.
@Suite("Port ranges: dense observed ports merge into endPort ranges only under the rule")
struct PortRangeTests {
    @Test("edges of the rule: gap exactly G merges, G+1 does not; N-1 ports stay single; --no-port-ranges")
    func ruleEdges() {
        let g = UInt16(PortRanges.defaultMaxGap), n = PortRanges.defaultMinPorts
        #expect(PortRangeCase.ingress(PortRangeCase.plan(PortRangeCase.spaced(1))) == ["21", "30000-30007"])
        #expect(PortRangeCase.ingress(PortRangeCase.plan(PortRangeCase.spaced(g + 1))) == ["21", "30000-\(30000 + 7 * (g + 1))"])
        #expect(PortRangeCase.ingress(PortRangeCase.plan(PortRangeCase.spaced(g + 2))) == ["21"] + PortRangeCase.spaced(g + 2).map(String.init))
        #expect(PortRangeCase.ingress(PortRangeCase.plan(PortRangeCase.spaced(1, count: n - 1))) == ["21"] + PortRangeCase.spaced(1, count: n - 1).map(String.init))
        #expect(PortRangeCase.ingress(PortRangeCase.plan(PortRangeCase.spaced(1), ranges: false)) == ["21"] + PortRangeCase.spaced(1).map(String.init))
        // One gap of G+1 splits a run into two; each part must qualify on its own.
        let split = PortRangeCase.spaced(1) + (0..<8).map { 30007 + g + 2 + $0 }
        #expect(PortRangeCase.ingress(PortRangeCase.plan(split)) == ["21", "30000-30007", "\(30009 + g)-\(30016 + g)"])
        let short = PortRangeCase.spaced(1) + [30007 + g + 2]
        #expect(PortRangeCase.ingress(PortRangeCase.plan(short)) == ["21", "30000-30007", "\(30009 + g)"])
    }

    @Test("a range keeps the evidence: flows summed, observed ports listed, L7 and named ports stay single")
    func rangeEvidence() throws {
        let ports = try #require(PortRangeCase.plan(PortRangeCase.spaced(1)).namespaces.flatMap(\.workloads)
            .first { $0.endpoint == PortRangeCase.server }?.ingress.first?.ports)
        let r = try #require(ports.first { $0.endPort != nil })
        #expect(r.flows == 24 && r.rangePorts == PortRangeCase.spaced(1))
        var http = PortPlan(proto: .tcp, port: 30003, flows: 1, firstSeen: 0, lastSeen: 0)
        http.http = [HTTPRulePlan(method: "GET", pathRegex: "/", pathTemplate: "/", requests: 1, firstSeen: 0,
                                  lastSeen: 0, examples: ["/"])]
        let plain = PortRangeCase.spaced(1).filter { $0 != 30003 }.map {
            PortPlan(proto: .tcp, port: $0, flows: 1, firstSeen: 0, lastSeen: 0)
        }
        // The HTTP port stays single and ends the run: 30000-30002 and 30004-30007 are too short.
        let merged = PortRanges.merge((plain + [http]).sorted(), minPorts: 8, maxGap: 2)
        #expect(merged.map(\.portText) == PortRangeCase.spaced(1).map(String.init))
        // Another protocol never joins a TCP run.
        let mixed = PortRangeCase.spaced(1).map { PortPlan(proto: $0 == 30004 ? .udp : .tcp, port: $0, flows: 1, firstSeen: 0, lastSeen: 0) }
        #expect(PortRanges.merge(mixed.sorted(), minPorts: 7, maxGap: 2).map(\.portText) == ["30000-30007", "30004"])
    }

    @Test("NetworkPolicy and Cilium output admit exactly the range (both evaluators; OracleTests PortRangeNCATests: network-config-analyzer)")
    func throughEvaluators() throws {
        let g = PortRanges.defaultMaxGap
        let observed = PortRangeCase.spaced(UInt16(g + 1))
        let plan = PortRangeCase.plan(observed)
        let want = Array(30000...(30000 + 7 * (g + 1))) + [21]
        var emit = EmitOptions()
        emit.version = "test"
        let np = NetworkPolicyEmitter(options: emit).stream(for: plan)
        #expect(np.contains("endPort: \(30000 + 7 * (g + 1))"))
        let set = ManifestReader.parse(text: PortRangeCase.cluster + "---\n" + np, file: "np.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        let ev = PolicyEvaluator(policies: set.policies, namespaces: Array(set.namespaces.values),
                                 workloads: WorkloadBuilder.workloads(from: set))
        #expect(PortRangeCase.admitted(try #require(ev.connections(from: PortRangeCase.client, to: PortRangeCase.server))) == want)
        // Without ranges: the observed ports and nothing between them.
        let single = NetworkPolicyEmitter(options: emit).stream(for: PortRangeCase.plan(observed, ranges: false))
        #expect(!single.contains("endPort"))

        let cnp = CiliumPolicyEmitter(options: emit).stream(for: plan)
        #expect(cnp.contains("endPort: \(30000 + 7 * (g + 1))"))
        let cset = ManifestReader.parse(text: PortRangeCase.cluster + "---\n" + cnp, file: "cnp.yaml")
        #expect(cset.issues.isEmpty, "\(cset.issues)")
        let cev = CiliumEvaluator(policies: cset.ciliumPolicies, networkPolicies: cset.policies,
                                  namespaces: Array(cset.namespaces.values),
                                  workloads: WorkloadBuilder.workloads(from: cset))
        #expect(PortRangeCase.admitted(try #require(cev.connections(from: PortRangeCase.client, to: PortRangeCase.server))) == want)
    }
}
