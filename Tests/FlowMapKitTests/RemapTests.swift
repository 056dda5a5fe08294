import Foundation
import Testing
import FlowMapKit
import FlowModel
import FlowStore

/// Issue 17, re-mapping: flows of IP-only formats read before the inventory that knows their addresses are kept,
/// and `flowmap remap` (or ingesting the inventory) moves their counts onto the workloads' edges, so inventory
/// after flows then remap equals inventory first.
@Suite("Re-mapping flows read before their inventory")
struct RemapTests {
    static let inventory = TestSupport.repoRoot.appendingPathComponent("samples/inventory/vpc-sample-cluster.json").path

    /// Generic IP-only records in June 2015 (two hours, so two buckets), against the sample cluster's pods:
    /// pinger (172.31.16.139 from May 2015) to sshd-0 :22, seen at two observers; an outside address to the
    /// desktop Service's ClusterIP :3389 (its backends, target port rdp); sshd-0 to the node address :9100 (the
    /// host-network node-exporter); a dropped connection to desktop; and one that no inventory knows.
    static var csv: String {
        var rows = ["time,src_ip,dst_ip,src_port,dst_port,proto,verdict,drop_reason,observer,direction,is_reply"]
        for i in 0..<40 {
            let t = "2015-06-01T\(String(format: "%02d", 10 + i / 20)):\(String(format: "%02d", i % 60)):00Z"
            rows.append("\(t),172.31.16.139,172.31.16.21,\(40000 + i),22,TCP,FORWARDED,,eni-a,egress,false")
            if i % 2 == 0 { rows.append("\(t),172.31.16.139,172.31.16.21,\(40000 + i),22,TCP,FORWARDED,,eni-b,ingress,false") }
            if i % 3 == 0 { rows.append("\(t),203.0.113.5,172.31.9.12,\(50000 + i),3389,TCP,FORWARDED,,eni-c,ingress,false") }
            if i % 4 == 0 { rows.append("\(t),172.31.16.21,172.31.0.10,\(41000 + i),9100,TCP,FORWARDED,,eni-a,egress,false") }
            if i % 5 == 0 { rows.append("\(t),172.31.16.139,172.31.9.100,\(42000 + i),3389,TCP,DROPPED,blocked,eni-a,egress,false") }
            if i % 7 == 0 { rows.append("\(t),172.31.9.69,198.51.100.7,\(43000 + i),443,TCP,FORWARDED,,eni-d,egress,false") }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    struct Evidence: Equatable {
        var edges: [String]
        var labels: [String]
        var addresses: [String]
        /// The node ends' addresses per connection (schema 13): remap records them as the reader would.
        var connections: [String]
        init(_ db: String) throws {
            let s = try FlowStore(path: db)
            edges = try s.bucketedEdges().map { "\($0.key.edge) @\($0.key.bucket) \($0.stats.flows) \($0.stats.firstSeen) \($0.stats.lastSeen) \($0.stats.dropReasons.sorted())" }
            labels = try s.labelSets().map { "\($0.key) \($0.value)" }.sorted()
            addresses = try s.addresses().map { "\($0.key) \($0.value.sorted())" }.sorted()
            connections = try s.bucketedEdgeAddresses().map {
                "\($0.key.edge) @\($0.key.bucket) \($0.value.source.sorted()) \($0.value.destination.sorted())"
            }.sorted()
        }
    }

    static func ingest(_ paths: [String], _ db: String, format: InputFormat = .auto) throws -> Ingest.Report {
        var o = Ingest.Options(db: db)
        o.format = format
        let r = try Ingest.run(paths: paths, options: o) { Issue.record("\($0)") }
        #expect(r.failures.isEmpty, "\(r.failures)")
        return r
    }

    static func generated(_ db: String, _ dir: URL) throws -> [String: String] {
        let out = dir.appendingPathComponent(UUID().uuidString)
        _ = try Generate.run(Generate.Options(db: db, out: out.path, allowBreaks: true))
        var files = [String: String]()
        // Every generated file, the evidence report (`evidence/`) included.
        let walker = FileManager.default.enumerator(atPath: out.path)
        while let f = walker?.nextObject() as? String {
            var isDir: ObjCBool = false
            let path = out.appendingPathComponent(f).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            files[f] = try String(contentsOfFile: path, encoding: .utf8)
        }
        return files
    }

    @Test("inventory after the flows, then remap (or the inventory ingest itself), equals inventory first: edges, counts, generate")
    func afterEqualsFirst() throws {
        let dir = TestSupport.tempDir()
        let flows = dir.appendingPathComponent("flows.csv")
        TestSupport.write(Self.csv, to: flows)

        let first = dir.appendingPathComponent("first.db").path
        _ = try Self.ingest([Self.inventory], first, format: .inventory)
        _ = try Self.ingest([flows.path], first)

        let after = dir.appendingPathComponent("after.db").path
        _ = try Self.ingest([flows.path], after)
        let before = try Evidence(after)
        #expect(try FlowStore(path: after).unmappedFlows().count > 0, "nothing was kept for a later inventory")
        #expect(before.edges.contains { $0.contains("172.31.16.139") }, "the flows were mapped without an inventory?")
        let r = try Self.ingest([Self.inventory], after, format: .inventory)  // maps what it can
        #expect(r.notes.contains { $0.contains("mapped") }, "\(r.notes)")
        #expect(try Evidence(after) == Evidence(first))
        #expect(try Evidence(first).connections.contains { $0.contains("node-exporter") && $0.contains("172.31.0.10") },
                "the host-network node-exporter's address is kept per connection")
        #expect(try Remap.run(db: after).mapped == 0, "a second remap found more to move")
        #expect(try Evidence(after) == Evidence(first))
        #expect(try Self.generated(after, dir) == Self.generated(first, dir))

        // The explicit verb, with the inventory already stored: a store whose inventory came later by hand
        // (the kept rows are the same; remap moves them).
        let verb = dir.appendingPathComponent("verb.db").path
        _ = try Self.ingest([flows.path], verb)
        let report = try Remap.run(db: verb)
        #expect(report.mapped == 0, "no inventory yet: nothing can be mapped")
        #expect(report.unknown > 0)
    }
}
