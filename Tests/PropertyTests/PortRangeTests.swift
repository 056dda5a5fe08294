@testable import Emit
import Foundation
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// Port ranges (issue 23): dense observed ports of one peer become one `endPort` range only under the documented
/// rule (`PortRanges`: at least `minPorts` distinct ports, at most `maxGap` unobserved ports between neighbours),
/// checked through the plan, both emitters, the evaluators and network-config-analyzer.
///
/// The case is shaped like a passive-FTP capture: a client opens the control port 21, then data connections to
/// ports of the server's passive range.
@Suite("Port ranges: dense observed ports merge into endPort ranges only under the rule")
struct PortRangeTests {
    static let client = Endpoint.workload("media", "ftp-client", kind: "Pod")
    static let server = Endpoint.workload("media", "ftp-server", kind: "Pod")
    static let t0: Int64 = 1_750_000_000_000_000_000

    static func evidence(_ ports: [UInt16], proto: Proto = .tcp) -> Evidence {
        let edges = ([21] + ports).map { p in
            ObservedEdge(key: EdgeKey(source: client, destination: server, proto: p == 21 ? .tcp : proto, port: p,
                                      outcome: .allowed),
                         stats: EdgeStats(flows: 3, firstSeen: t0, lastSeen: t0 + 1_000_000_000))
        }
        return Evidence(edges: edges, labelSets: [client: [["app": "ftp-client"]], server: [["app": "ftp-server"]]],
                        namespaceLabels: ["media": ["kubernetes.io/metadata.name": "media"]])
    }

    static func plan(_ ports: [UInt16], ranges: Bool = true) -> PolicyPlan {
        var o = InferenceOptions()
        o.portRanges = ranges
        return Inferrer(options: o).infer(evidence(ports))
    }

    /// The server's ingress port entries as `port` or `port-endPort`.
    static func ingress(_ p: PolicyPlan) -> [String] {
        p.namespaces.flatMap(\.workloads).filter { $0.endpoint == server }.flatMap(\.ingress).flatMap(\.ports)
            .map(\.portText)
    }

    /// Eight ports, neighbours `step` apart (`step - 1` unobserved ports between them).
    static func spaced(_ step: UInt16, count: Int = 8) -> [UInt16] { (0..<UInt16(count)).map { 30000 + $0 * step } }

    @Test("edges of the rule: gap exactly G merges, G+1 does not; N-1 ports stay single; --no-port-ranges")
    func ruleEdges() {
        let g = UInt16(PortRanges.defaultMaxGap), n = PortRanges.defaultMinPorts
        #expect(Self.ingress(Self.plan(Self.spaced(1))) == ["21", "30000-30007"])
        #expect(Self.ingress(Self.plan(Self.spaced(g + 1))) == ["21", "30000-\(30000 + 7 * (g + 1))"])
        #expect(Self.ingress(Self.plan(Self.spaced(g + 2))) == ["21"] + Self.spaced(g + 2).map(String.init))
        #expect(Self.ingress(Self.plan(Self.spaced(1, count: n - 1))) == ["21"] + Self.spaced(1, count: n - 1).map(String.init))
        #expect(Self.ingress(Self.plan(Self.spaced(1), ranges: false)) == ["21"] + Self.spaced(1).map(String.init))
        // One gap of G+1 splits a run into two; each part must qualify on its own.
        let split = Self.spaced(1) + (0..<8).map { 30007 + g + 2 + $0 }
        #expect(Self.ingress(Self.plan(split)) == ["21", "30000-30007", "\(30009 + g)-\(30016 + g)"])
        let short = Self.spaced(1) + [30007 + g + 2]
        #expect(Self.ingress(Self.plan(short)) == ["21", "30000-30007", "\(30009 + g)"])
    }

    @Test("a range keeps the evidence: flows summed, observed ports listed, L7 and named ports stay single")
    func rangeEvidence() throws {
        let ports = try #require(Self.plan(Self.spaced(1)).namespaces.flatMap(\.workloads)
            .first { $0.endpoint == Self.server }?.ingress.first?.ports)
        let r = try #require(ports.first { $0.endPort != nil })
        #expect(r.flows == 24 && r.rangePorts == Self.spaced(1))
        var http = PortPlan(proto: .tcp, port: 30003, flows: 1, firstSeen: 0, lastSeen: 0)
        http.http = [HTTPRulePlan(method: "GET", pathRegex: "/", pathTemplate: "/", requests: 1, firstSeen: 0,
                                  lastSeen: 0, examples: ["/"])]
        let plain = Self.spaced(1).filter { $0 != 30003 }.map {
            PortPlan(proto: .tcp, port: $0, flows: 1, firstSeen: 0, lastSeen: 0)
        }
        // The HTTP port stays single and ends the run: 30000-30002 and 30004-30007 are too short.
        let merged = PortRanges.merge((plain + [http]).sorted(), minPorts: 8, maxGap: 2)
        #expect(merged.map(\.portText) == Self.spaced(1).map(String.init))
        // Another protocol never joins a TCP run.
        let mixed = Self.spaced(1).map { PortPlan(proto: $0 == 30004 ? .udp : .tcp, port: $0, flows: 1, firstSeen: 0, lastSeen: 0) }
        #expect(PortRanges.merge(mixed.sorted(), minPorts: 7, maxGap: 2).map(\.portText) == ["30000-30007", "30004"])
    }

    /// Namespace and bare pods the policies apply to, for the evaluators and NCA.
    static let cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: media, labels: {kubernetes.io/metadata.name: media}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ftp-client, namespace: media, labels: {app: ftp-client}}
        spec: {containers: [{name: c, image: x}]}
        status: {podIP: 10.0.0.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ftp-server, namespace: media, labels: {app: ftp-server}}
        spec: {containers: [{name: c, image: x}]}
        status: {podIP: 10.0.0.2}

        """

    /// What the server admits from the client on TCP 29990...30030, as the sorted ports allowed.
    static func admitted(_ c: ConnectionSet) -> [Int] { (29990...30030).filter { c.contains(.tcp, $0) } + (c.contains(.tcp, 21) ? [21] : []) }

    @Test("NetworkPolicy and Cilium output admit exactly the range (evaluators and network-config-analyzer)")
    func throughEvaluators() throws {
        let g = PortRanges.defaultMaxGap
        let observed = Self.spaced(UInt16(g + 1))
        let plan = Self.plan(observed)
        let want = Array(30000...(30000 + 7 * (g + 1))) + [21]
        var emit = EmitOptions()
        emit.version = "test"
        let np = NetworkPolicyEmitter(options: emit).stream(for: plan)
        #expect(np.contains("endPort: \(30000 + 7 * (g + 1))"))
        let set = ManifestReader.parse(text: Self.cluster + "---\n" + np, file: "np.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        let ev = PolicyEvaluator(policies: set.policies, namespaces: Array(set.namespaces.values),
                                 workloads: WorkloadBuilder.workloads(from: set))
        #expect(Self.admitted(try #require(ev.connections(from: Self.client, to: Self.server))) == want)
        // Without ranges: the observed ports and nothing between them.
        let single = NetworkPolicyEmitter(options: emit).stream(for: Self.plan(observed, ranges: false))
        #expect(!single.contains("endPort"))

        let cnp = CiliumPolicyEmitter(options: emit).stream(for: plan)
        #expect(cnp.contains("endPort: \(30000 + 7 * (g + 1))"))
        let cset = ManifestReader.parse(text: Self.cluster + "---\n" + cnp, file: "cnp.yaml")
        #expect(cset.issues.isEmpty, "\(cset.issues)")
        let cev = CiliumEvaluator(policies: cset.ciliumPolicies, networkPolicies: cset.policies,
                                  namespaces: Array(cset.namespaces.values),
                                  workloads: WorkloadBuilder.workloads(from: cset))
        #expect(Self.admitted(try #require(cev.connections(from: Self.client, to: Self.server))) == want)

        guard NCAOracle.isInstalled else {
            Issue.record("network-config-analyzer is not installed at \(NCAOracle.executable.path): run `make oracle`")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-nca-ranges-\(getpid())")
        let results = try NCAOracle.run(cases: [Self.cluster + "---\n" + np, Self.cluster + "---\n" + single],
                                        workDir: work)
        func nca(_ lines: [NCAOracle.Line]) -> [Int] {
            var c = ConnectionSet.none
            for l in lines where l.source == .pod("media/ftp-client") && l.destination == .pod("media/ftp-server") {
                c.formUnion(l.connections)
            }
            return Self.admitted(c)
        }
        #expect(nca(results[0]) == want)
        #expect(nca(results[1]) == observed.map(Int.init) + [21])
        try? FileManager.default.removeItem(at: work)
    }
}
