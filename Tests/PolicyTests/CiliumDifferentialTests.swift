import FlowModel
import Testing
@testable import Policy

/// The evaluator against `CiliumOracle` (an independent brute-force encoding of docs/cilium-semantics.md) on
/// seeded random Cilium policy sets: every pod/entity/address pair, every sample port, and HTTP requests.
@Suite struct CiliumDifferentialTests {
    static let samplePorts: [(Proto, Int)] = [(.tcp, 80), (.tcp, 53), (.udp, 53), (.udp, 7), (.tcp, 5432), (.tcp, 5200),
                                              (.tcp, 8080), (.tcp, 9000), (.sctp, 9), (.tcp, 443)]
    static let requests: [L7Request] = [.http(method: "GET", path: "/a"), .http(method: "POST", path: "/b"),
                                        .http(method: "PUT", path: "/a/x"), .http(method: "DELETE", path: "/")]

    @Test(arguments: 0..<20) func evaluatorAgreesWithOracle(chunk: Int) throws {
        for seed in UInt64(chunk * 10)..<UInt64(chunk * 10 + 10) {
            var gen = CiliumCaseGenerator(seed: seed)
            let text = gen.generate()
            let names = ["192.0.2.1": ["api.example.com"], "192.0.2.2": ["www.example.com"]]
            let h = CiliumHarness(text, dnsNames: names)
            try #require(h.set.ciliumPolicies.count == text.components(separatedBy: "\n---\n").count, "seed \(seed)")
            var nsLabels: [String: [String: String]] = [:]
            for (k, v) in h.ev.networkPolicies.namespaces { nsLabels[k] = v.labels }
            let oracle = CiliumOracle(policies: h.set.ciliumPolicies, namespaceLabels: nsLabels,
                                      dnsNames: h.ev.dnsNames)
            var peers: [(CiliumPeer, CiliumOracle.Peer)] = h.ev.workloads.indices.map { (.workload($0), .pod(h.ev.workloads[$0])) }
            for e in ["host", "remote-node", "kube-apiserver", "world", "health"] {
                peers.append((.entity(CiliumEntity(rawValue: e)!), .entity(e)))
            }
            for a in ["10.9.1.1", "10.1.1.1", "192.0.2.1", "192.0.2.2", "2001:db8::1"] {
                peers.append((.address(IPAddr(a)!), .address(IPAddr(a)!)))
            }
            var mismatches: [String] = []
            for (sp, so) in peers {
                for (dp, dOracle) in peers {
                    if case .workload = sp {} else if case .workload = dp {} else { continue }
                    let c = h.ev.connections(from: sp, to: dp)
                    for (proto, port) in Self.samplePorts where c.contains(proto, port) != oracle.allowed(so, dOracle, proto, port) {
                        mismatches.append("\(sp) -> \(dp) \(proto.rawValue) \(port): evaluator \(c.contains(proto, port))")
                    }
                    for r in Self.requests {
                        for port in [80, 8080] {
                            let e = h.ev.allows(from: sp, to: dp, proto: .tcp, port: port, request: r)
                            if e != oracle.allowed(so, dOracle, .tcp, port, request: r) {
                                mismatches.append("\(sp) -> \(dp) \(port) \(r): evaluator \(e)")
                            }
                        }
                    }
                }
            }
            #expect(mismatches.isEmpty, "seed \(seed):\n\(text)\n\(mismatches.prefix(5).joined(separator: "\n"))")
        }
    }
}
