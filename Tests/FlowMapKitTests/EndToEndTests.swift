import Foundation
import Testing
import Yams
@testable import FlowMapKit
import FlowMapView
import FlowModel
import FlowIngest
import FlowStore
import Inference
import Policy

@Suite("End to end: Hubble in, NetworkPolicy out")
struct EndToEndTests {
    @Test("every shared Hubble sample ingests with zero rejected lines")
    func samplesIngestCleanly() throws {
        let samples = TestSupport.hubbleSamples
        #expect(samples.count >= 11)
        let dir = TestSupport.tempDir()
        let (report, issues) = try TestSupport.ingest(samples, db: dir.appendingPathComponent("s.db").path)
        #expect(issues.isEmpty, "\(issues)")
        #expect(report.failures.isEmpty)
        for f in report.files {
            #expect(f.counts.rejected == 0, "\(f.path)")
            #expect(f.counts.accepted + f.counts.skipped == f.counts.lines, "\(f.path)")
        }
        #expect(report.total.accepted > 1500)
    }

    @Test("re-ingesting the same file changes no count")
    func reingestIsIdempotent() throws {
        let dir = TestSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let sample = TestSupport.hubbleSamples.first { $0.hasSuffix("basic-sample-400-tcp-flows.json") }!
        _ = try TestSupport.ingest([sample], db: db)
        let before = try FlowStore(path: db).edges()
        let (second, _) = try TestSupport.ingest([sample], db: db)
        #expect(second.files.first?.duplicateOf == sample)
        let after = try FlowStore(path: db).edges()
        #expect(before == after)
        #expect(!before.isEmpty)
        // A copy under another name is the same content: still one count.
        let copy = dir.appendingPathComponent("copy.json").path
        try FileManager.default.copyItem(atPath: sample, toPath: copy)
        _ = try TestSupport.ingest([copy], db: db)
        #expect(try FlowStore(path: db).edges() == before)
    }

    @Test("a file recorded by an earlier FlowMap (legacy hash) is still a duplicate; a store without one skips that hash")
    func legacyHashOnlyWhenStored() throws {
        let dir = TestSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let sample = TestSupport.hubbleSamples.first { $0.hasSuffix("basic-sample-400-tcp-flows.json") }!
        // A new store has no legacy rows: the ingest computes only SHA-256 (IngestDriver.legacyHash off).
        let (first, _) = try TestSupport.ingest([sample], db: db)
        #expect(first.files.first?.duplicateOf == nil)
        #expect(try FlowStore(path: db).hasLegacyContentHashes() == false)
        // A store where an earlier FlowMap recorded the same bytes under the 64-bit hash.
        let old = dir.appendingPathComponent("old.db").path
        var h = ContentHash()
        try Data(contentsOf: URL(fileURLWithPath: sample)).withUnsafeBytes { h.update($0) }
        let store = try FlowStore(path: old)
        _ = try store.write(IngestBatch(), counts: IngestCounts(), path: "before-upgrade.json", format: "hubble",
                            contentHash: h.legacyHex, now: 1)
        #expect(try store.hasLegacyContentHashes())
        let (again, _) = try TestSupport.ingest([sample], db: old)
        #expect(again.files.first?.duplicateOf == "before-upgrade.json", "the legacy hash must still be computed here")
        #expect(try store.sources().map(\.contentHash) == [h.hex])  // re-stamped
        #expect(try store.hasLegacyContentHashes() == false)
    }

    @Test("a truncated last line is reported with its line number and the rest is kept")
    func truncatedLastLine() throws {
        let dir = TestSupport.tempDir()
        let sample = TestSupport.hubbleSamples.first { $0.hasSuffix("basic-sample-10-flows.json") }!
        let lines = try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10)
        let last = lines[9]
        let truncated = lines[0..<9].joined(separator: "\n") + "\n" + last.prefix(last.count / 2)
        let path = dir.appendingPathComponent("trunc.json").path
        TestSupport.write(truncated, to: URL(fileURLWithPath: path))
        let (report, issues) = try TestSupport.ingest([path], db: dir.appendingPathComponent("s.db").path)
        #expect(issues.count == 1)
        #expect(issues.first?.line == 10)
        #expect(issues.first?.file == path)
        #expect(issues.first?.description.hasPrefix("\(path):10: ") == true)
        #expect(report.total.accepted == 9)
        #expect(report.total.rejected == 1)
    }

    @Test("reply flows and a second observation point create no edge and no extra count")
    func repliesAndDuplicates() throws {
        let dir = TestSupport.tempDir()
        func flow(_ srcPod: String, _ srcApp: String, _ dstPod: String, _ dstApp: String, sport: Int, dport: Int,
                  flags: String, reply: Bool?, dir: String, point: String) -> String {
            let r = reply.map { ",\"is_reply\":\($0)" } ?? ""
            return """
                {"flow":{"time":"2024-01-01T00:00:00.5Z","verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":\(sport),"destination_port":\(dport),"flags":{\(flags)}}},"source":{"namespace":"shop","labels":["k8s:app=\(srcApp)"],"pod_name":"\(srcPod)"},"destination":{"namespace":"shop","labels":["k8s:app=\(dstApp)"],"pod_name":"\(dstPod)"},"Type":"L3_L4","traffic_direction":"\(dir)","trace_observation_point":"\(point)"\(r)}}
                """
        }
        let web = "web-7d4b9c8f6d-x7k2p", api = "api-5f6d7c8b9d-q2w4z"
        let lines = [
            // SYN at the source's egress and at the destination's ingress: one connection.
            flow(web, "web", api, "api", sport: 40000, dport: 8080, flags: "\"SYN\":true", reply: false,
                 dir: "EGRESS", point: "TO_STACK"),
            flow(web, "web", api, "api", sport: 40000, dport: 8080, flags: "\"SYN\":true", reply: false,
                 dir: "INGRESS", point: "TO_ENDPOINT"),
            // The replies, both observation points: no edge api -> web:40000.
            flow(api, "api", web, "web", sport: 8080, dport: 40000, flags: "\"SYN\":true,\"ACK\":true", reply: true,
                 dir: "EGRESS", point: "TO_STACK"),
            flow(api, "api", web, "web", sport: 8080, dport: 40000, flags: "\"ACK\":true", reply: nil,
                 dir: "INGRESS", point: "TO_ENDPOINT"),
        ]
        let path = dir.appendingPathComponent("f.json").path
        TestSupport.write(lines.joined(separator: "\n") + "\n", to: URL(fileURLWithPath: path))
        let db = dir.appendingPathComponent("s.db").path
        let (report, issues) = try TestSupport.ingest([path], db: db)
        #expect(issues.isEmpty)
        #expect(report.total.replies == 2)
        let edges = try FlowStore(path: db).edges()
        #expect(edges.count == 1)
        #expect(edges.first?.key.source == .workload("shop", "web", kind: "Deployment"))
        #expect(edges.first?.key.destination == .workload("shop", "api", kind: "Deployment"))
        #expect(edges.first?.key.port == 8080)
        #expect(edges.first?.stats.flows == 1)
    }

    @Test("generation is byte-for-byte deterministic, whatever the ingest order")
    func deterministic() throws {
        let samples = TestSupport.hubbleSamples
        func generate(_ paths: [String]) throws -> [String: String] {
            let dir = TestSupport.tempDir()
            let db = dir.appendingPathComponent("s.db").path
            _ = try TestSupport.ingest(paths, db: db)
            let out = dir.appendingPathComponent("out").path
            let r = try Generate.run(Generate.Options(db: db, out: out, allowBreaks: true))
            var files: [String: String] = [:]
            for f in r.files { files[f] = try String(contentsOfFile: out + "/" + f, encoding: .utf8) }
            return files
        }
        let a = try generate(samples)
        let b = try generate(samples.reversed())
        let c = try generate(samples)
        #expect(a.count > 2)
        #expect(a == b)
        #expect(a == c)
    }

    @Test("generated YAML parses, and every peer and selector is non-empty")
    func outputParsesAndIsNarrow() throws {
        let dir = TestSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        _ = try TestSupport.ingest(TestSupport.hubbleSamples, db: db)
        let r = try Generate.run(Generate.Options(db: db, out: "-", allowBreaks: true))
        let docs = try Array(Yams.load_all(yaml: r.stream!))
        #expect(docs.count == r.policies)
        var allows = 0
        for case let d as [String: Any] in docs {
            let meta = d["metadata"] as! [String: Any]
            let spec = d["spec"] as! [String: Any]
            let pod = spec["podSelector"] as! [String: Any]
            if (meta["name"] as! String) == "default-deny" {
                #expect(pod.isEmpty)
                #expect(spec["ingress"] == nil && spec["egress"] == nil)
                continue
            }
            if (meta["name"] as! String) == "allow-dns" {  // the DNS baseline: every pod, egress to port 53 only
                #expect(pod.isEmpty && spec["ingress"] == nil)
                #expect(!"\(spec["egress"] ?? "")".isEmpty)
                continue
            }
            allows += 1
            let ml = pod["matchLabels"] as? [String: String] ?? [:]
            #expect(!ml.isEmpty, "allow policy \(meta["name"]!) has an empty podSelector")
            for dirKey in ["ingress", "egress"] {
                for case let rule as [String: Any] in spec[dirKey] as? [Any] ?? [] {
                    let peers = rule[dirKey == "ingress" ? "from" : "to"] as? [Any] ?? []
                    let ports = rule["ports"] as? [Any] ?? []
                    #expect(!peers.isEmpty, "rule without peers in \(meta["name"]!)")
                    #expect(!ports.isEmpty, "rule without ports in \(meta["name"]!)")
                    for case let p as [String: Any] in peers {
                        if let ps = p["podSelector"] as? [String: Any] {
                            #expect(!((ps["matchLabels"] as? [String: String]) ?? [:]).isEmpty)
                        }
                        if let ns = p["namespaceSelector"] as? [String: Any] {
                            #expect(((ns["matchLabels"] as? [String: String]) ?? [:])["kubernetes.io/metadata.name"] != nil)
                        }
                    }
                }
            }
        }
        #expect(allows > 5)
    }
}
