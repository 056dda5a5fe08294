import Foundation
import TestSupport
import Testing
import FlowMapKit

/// A seeded synthetic cluster of 500 workloads in 25 namespaces (20 each), as Hubble JSONL ingested into a store:
/// each workload talks to two peers of its namespace and one of another (mostly one of three shared
/// namespaces), some flows dropped, HTTP requests on port
/// 8080, a few to public addresses. One workload has a unique name (`team-17/payments-ledger`) for search tests.
enum ScaleStore {
    static let namespaces = (0..<25).map { String(format: "team-%02d", $0) }
    static let perNamespace = 20
    static let uniqueName = "payments-ledger"
    static let ports: [UInt16] = [80, 443, 5432, 6379, 8080, 9090]

    static func workload(_ i: Int, _ j: Int) -> String { i == 17 && j == 3 ? uniqueName : String(format: "svc-%02d", j) }

    static func endpointJSON(_ i: Int, _ j: Int) -> String {
        let name = workload(i, j)
        return #"{"namespace":"\#(namespaces[i])","pod_name":"\#(name)-5d8f9c7b6-x\#(j)q\#(i)z","labels":["k8s:app=\#(name)"],"workloads":[{"name":"\#(name)","kind":"Deployment"}]}"#
    }

    static func lines(seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        var out: [String] = []
        func line(src: (Int, Int), dst: (Int, Int)?, ip: String, port: UInt16, dropped: Bool, second: Int, path: String?) {
            let t = String(format: "2024-05-01T10:%02d:%02d.000000000Z", second / 60, second % 60)
            let d = dst.map { endpointJSON($0.0, $0.1) } ?? #"{"identity":2,"labels":["reserved:world"]}"#
            let dstIP = dst.map { "10.\($0.0).\($0.1).10" } ?? ip
            var f = #""time":"\#(t)","verdict":"\#(dropped ? "DROPPED" : "FORWARDED")","IP":{"source":"10.\#(src.0).\#(src.1).10","destination":"\#(dstIP)","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":40000,"destination_port":\#(port)}},"source":\#(endpointJSON(src.0, src.1)),"destination":\#(d),"traffic_direction":"EGRESS","is_reply":false"#
            if dropped { f += #","drop_reason_desc":"POLICY_DENIED""# }
            if let p = path { f += #","Type":"L7","l7":{"type":"REQUEST","http":{"method":"GET","url":"http://svc:\#(port)\#(p)"}}"# }
            out.append(#"{"flow":{\#(f)},"time":"\#(t)"}"#)
        }
        for i in 0..<namespaces.count {
            for j in 0..<perNamespace {
                var peers = [(i, (j + 1 + Int.random(in: 0..<(perNamespace - 1), using: &rng)) % perNamespace),
                             (i, (j + 1) % perNamespace)]
                // Across namespaces, as in real clusters: mostly into three shared ones, else a neighbour.
                let other = Int.random(in: 0..<10, using: &rng) < 7 ? Int.random(in: 0..<3, using: &rng)
                    : (i + 1) % namespaces.count
                peers.append((other == i ? (i + 1) % namespaces.count : other, Int.random(in: 0..<perNamespace, using: &rng)))
                for p in peers {
                    let port = ports.randomElement(using: &rng)!
                    let dropped = Int.random(in: 0..<10, using: &rng) == 0
                    for k in 0..<Int.random(in: 1...3, using: &rng) {
                        line(src: (i, j), dst: p, ip: "", port: port, dropped: dropped,
                             second: Int.random(in: 0..<3600, using: &rng),
                             path: port == 8080 && !dropped ? "/api/v\(k)/items" : nil)
                    }
                }
                if Int.random(in: 0..<20, using: &rng) == 0 {
                    line(src: (i, j), dst: nil, ip: "203.0.113.\(Int.random(in: 1...200, using: &rng))", port: 443,
                         dropped: false, second: Int.random(in: 0..<3600, using: &rng), path: nil)
                }
            }
        }
        return out
    }

    /// The store, built once per test process.
    static let db: String = {
        let dir = MapSupport.tempDir()
        let file = dir.appendingPathComponent("scale.jsonl")
        try! (lines(seed: 20).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("scale.db").path
        let r = try! Ingest.run(paths: [file.path], options: Ingest.Options(db: db)) { _ in }
        precondition(r.failures.isEmpty, "\(r.failures)")
        return db
    }()
}
