import Foundation
import TestSupport
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// The same exactness check against an independent evaluator: network-config-analyzer (`nca`, installed by
/// `make oracle`), run through `Oracle.NCA` (TestSupport, which drives
/// `scripts/nca_batch.py`) and `Support/NCAOracle.swift`. A fixed set of clusters,
/// because NCA takes about a second per case. NCA's assumptions match `Expectation`'s: ipBlocks never match pod
/// IPs, self pairs omitted.
@Suite("Property: emitted NetworkPolicies allow exactly the evidence (network-config-analyzer)")
struct NCAPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]

    @Test("nca agrees: observed allowed => allowed, not observed => denied")
    func ncaAgrees() throws {
        let clusters = Self.seeds.map { seed -> (GeneratedCluster, ManifestCluster) in
            let c = ClusterGenerator.make(seed: seed)
            return (c, ManifestCluster(c, plan: Inferrer(options: ClusterGenerator.options(for: c)).infer(c.evidence)))
        }
        // One more case, to show the comparison can fail: the first cluster with one ingress rule removed.
        let c0 = clusters[0].0
        var broken = Inferrer(options: ClusterGenerator.options(for: c0)).infer(c0.evidence)
        let ni = try #require(broken.namespaces.firstIndex { $0.workloads.contains { !$0.ingress.isEmpty } })
        let wi = broken.namespaces[ni].workloads.firstIndex { !$0.ingress.isEmpty }!
        broken.namespaces[ni].workloads[wi].ingress.removeAll()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-nca-property-\(getpid())")
        let results = try NCAOracle.run(cases: clusters.map(\.1.text) + [ManifestCluster(c0, plan: broken).text],
                                        workDir: work)
        #expect(Expectation(c0).violations(NCAResultOracle(lines: results[clusters.count]))
            .contains { $0.hasPrefix("observed but DENIED") }, "nca did not notice a removed rule")
        var failures: [String] = []
        var podPairs = 0
        for (i, (c, _)) in clusters.enumerated() {
            let oracle = NCAResultOracle(lines: results[i])
            podPairs += oracle.pairs.values.reduce(0) { $0 + $1.count }
            let v = Expectation(c).violations(oracle, limit: 10)
            if !v.isEmpty { failures.append("seed \(c.seed) (case\(i).yaml in \(work.path)):\n" + v.joined(separator: "\n")) }
        }
        // NCA lists every pod pair with some connection; the clusters have DNS and calls, so there are many.
        #expect(podPairs > Self.seeds.count * 5, "nca reported only \(podPairs) connected pod pairs")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        if failures.isEmpty { try? FileManager.default.removeItem(at: work) }
    }
}

/// NCA's `txt_no_fw_rules` answer for one cluster as a `ConnectivityOracle`. A pair NCA does not list has no
/// connections.
struct NCAResultOracle: ConnectivityOracle {
    /// "ns/name" -> "ns/name" -> connections.
    let pairs: [String: [String: ConnectionSet]]
    let lines: [NCAOracle.Line]

    init(lines: [NCAOracle.Line]) {
        self.lines = lines
        pairs = NCAOracle.podPairs(lines)
        modelsIPv6 = lines.contains { l in
            [l.source, l.destination].contains { if case .range(let r) = $0 { return r.first.isV6 } else { return false } }
        }
    }

    /// True when NCA's answer has any IPv6 range.
    let modelsIPv6: Bool

    static func key(_ p: Pod) -> String { "\(p.namespace)/\(ManifestCluster.podName(p))" }

    func allows(_ src: Pod, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool {
        pairs[Self.key(src)]?[Self.key(dst)]?.contains(proto, Int(port)) ?? false
    }

    func address(_ ip: String, pod: String, outbound: Bool) -> ConnectionSet {
        guard var a = IPAddr(ip) else { return .none }
        // NCA lists IPv6 ranges only when a policy names an IPv6 block; otherwise an IPv6 address is one that no
        // policy names, like the top of the IPv4 space (whose range line says whether the pod is unrestricted).
        if ip.contains(":") && !modelsIPv6 { a = IPAddr("255.255.255.255")! }
        return NCAOracle.connections(lines, pod: pod, address: a, outbound: outbound)
    }

    func allows(_ src: Pod, toAddress ip: String, _ proto: Proto, _ port: UInt16) -> Bool {
        address(ip, pod: Self.key(src), outbound: true).contains(proto, Int(port))
    }
    func allows(fromAddress ip: String, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool {
        address(ip, pod: Self.key(dst), outbound: false).contains(proto, Int(port))
    }
}
