import Foundation
import Testing
import FlowMapKit
import FlowModel
@testable import FlowStore

/// Issue 18: `flowmap merge` folds per-node stores into one exactly (as one store that ingested every input)
/// and idempotently (merging a store twice changes nothing).
@Suite("merge: per-node stores into one")
struct MergeTests {
    static func sample(_ rel: String) -> String { TestSupport.repoRoot.appendingPathComponent("samples/" + rel).path }

    /// The sample captures in 4 parts, one per node: Hubble files dealt round-robin, the inventory on the three
    /// nodes that need it (the same file: one source after the merge), VPC logs on one of them, Calico on the last. A file and the file it grew into (basic-sample-5-dns-flows.json is the
    /// first lines of basic-sample-330-dns-flows.json) stay on one node, shorter first, as a growing file does:
    /// the longer one is read from where the shorter ended, on the node as in one store.
    static var parts: [[String]] {
        let hubble = TestSupport.hubbleSamples
        var units: [[String]] = []
        for f in hubble where !f.hasSuffix("-5-dns-flows.json") && !f.hasSuffix("-5-http-flows.json") {
            if f.hasSuffix("-330-dns-flows.json") || f.hasSuffix("-348-http-flows.json") {
                let kind = f.hasSuffix("-330-dns-flows.json") ? "dns" : "http"
                units.append([try! #require(hubble.first { $0.hasSuffix("-5-\(kind)-flows.json") }), f])
            } else {
                units.append([f])
            }
        }
        let inventory = sample("inventory/vpc-sample-cluster.json")
        var out: [[String]] = [[inventory], [inventory], [inventory], []]
        for (i, u) in units.enumerated() { out[i % 4] += u }
        out[2] += [sample("vpc/flowmap-v5-all-fields.log"), sample("vpc/flowmap-tgw-default.log")]
        out[3] += [sample("calico/calico_felix_flows.log")]
        return out
    }

    static func ingest(_ paths: [String], db: String, bucket: Int64? = nil) throws {
        var o = Ingest.Options(db: db)
        o.bucketWidth = bucket
        let r = try Ingest.run(paths: paths, options: o) { _ in }
        #expect(r.failures.isEmpty, "\(r.failures)")
    }

    /// One store per part, and one store that ingested every part, part after part.
    static func nodesAndDirect(_ dir: URL, bucket: Int64? = nil) throws -> (nodes: [String], direct: String) {
        var nodes: [String] = []
        let direct = dir.appendingPathComponent("direct.db").path
        for (i, part) in parts.enumerated() {
            let db = dir.appendingPathComponent("node-\(i).db").path
            try ingest(part, db: db, bucket: bucket)
            try ingest(part, db: direct, bucket: bucket)
            nodes.append(db)
        }
        return (nodes, direct)
    }

    /// What the verbs read, as text: export, L7, labels, addresses, names, Services, endpoints (EvidenceStoreTests),
    /// the sources but for when they were ingested, inventory, namespaces, listening ports, kept unmapped flows,
    /// and generate's whole output.
    static func everything(_ db: String) throws -> String {
        var out = try EvidenceStoreTests.snapshot(db)
        let s = try FlowStore(path: db)
        for r in try s.sources() {
            out += "source \(r.id) \(r.path) \(r.format) \(r.contentHash ?? "-") \(r.counts.lines) \(r.counts.accepted) "
                + "\(r.counts.rejected) \(r.counts.skipped) \(r.counts.replies) \(r.counts.bytes) "
                + "\(r.firstFlow ?? -1) \(r.lastFlow ?? -1) \(r.attributed)\n"
        }
        let inv = try s.inventory()
        for p in inv.pods {
            out += "pod \(p.namespace)/\(p.name)/\(p.uid) \(p.workload) \(p.labels.canonical) \(p.ips) \(p.node) \(p.hostIP) "
                + "\(p.hostNetwork) \(p.ports) \(p.from) \(p.until ?? -1)\n"
        }
        for v in inv.services {
            out += "service \(v.namespace)/\(v.name) \(v.clusterIPs) \(v.selector.canonical) \(v.ports) \(v.backendIPs)\n"
        }
        for c in inv.controllers { out += "controller \(c.workload) \(c.selector.canonical) \(c.usable)\n" }
        out += "nodes \(inv.nodes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.sorted())" })\n"
        out += "node labels \(inv.nodeLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.canonical)" })\n"
        out += "namespaces \(try s.namespaceLabels().sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.canonical)" })\n"
        out += "listening \(try s.listeningPorts().sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })\n"
        out += "unmapped \(try s.unmappedFlows().map { "\($0.flow)" }.sorted())\n"
        out += "width \(try s.bucketWidth)\n"
        let g = try Generate.run(Generate.Options(db: db, out: "-", allowBreaks: true))
        out += "generate\n" + (g.stream ?? "")
        return out
    }

    /// Every row of every table, by the sqlite3 shell (an independent reader): what "changes nothing" means.
    static func dump(_ db: String) throws -> String {
        let (status, out) = try TestSupport.run("/usr/bin/sqlite3", ["-readonly", db, ".dump"])
        #expect(status == 0, "\(out)")
        return out
    }

    @Test("4 node stores from 4 parts of the samples, merged, equal one store that ingested all 4 (generate byte-identical)")
    func fourNodesEqualDirect() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (nodes, direct) = try Self.nodesAndDirect(dir)
        let merged = dir.appendingPathComponent("merged.db").path
        let r = try Merge.run(db: merged, inputs: nodes)
        #expect(r.refused == 0)
        let total = Self.parts.map(\.count).reduce(0, +)
        #expect(r.added == total - 2 && r.present == 2, "the inventory of nodes 1 and 2 is node 0's")
        #expect(r.inputs[1].absorbed.sources.first { !$0.added }?.input.format == "inventory")
        let expected = try Self.everything(direct)
        #expect(expected.contains("kind: NetworkPolicy") && expected.contains("dns") && expected.contains("hubble"))
        let got = try Self.everything(merged)
        if got != expected, let d = ProcessInfo.processInfo.environment["FLOWMAP_MERGE_DEBUG"] {
            try got.write(toFile: d + "/merged.txt", atomically: true, encoding: .utf8)
            try expected.write(toFile: d + "/direct.txt", atomically: true, encoding: .utf8)
        }
        #expect(got == expected)
        // A node alone is not the whole: the comparison can fail.
        #expect(try Self.everything(nodes[0]) != expected)
    }

    @Test("VPC flows a node read without an inventory map to workloads once merged with another node's inventory")
    func unmappedFlowsMapAfterMerge() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inventory = Self.sample("inventory/vpc-sample-cluster.json")
        let vpc = [Self.sample("vpc/flowmap-v5-all-fields.log"), Self.sample("vpc/flowmap-tgw-default.log")]
        let a = dir.appendingPathComponent("a.db").path, b = dir.appendingPathComponent("b.db").path
        let direct = dir.appendingPathComponent("direct.db").path, merged = dir.appendingPathComponent("m.db").path
        try Self.ingest([inventory], db: a)
        try Self.ingest(vpc, db: b)
        try Self.ingest([inventory] + vpc, db: direct)
        #expect(!(try FlowStore(path: b).unmappedFlows().isEmpty))
        let r = try Merge.run(db: merged, inputs: [a, b])
        #expect(r.inputs[1].notes.contains { $0.contains("mapped") }, "\(r.inputs[1].notes)")
        let g = { (db: String) in try Generate.run(Generate.Options(db: db, out: "-", allowBreaks: true)).stream ?? "" }
        #expect(try Export.run(db: merged, format: .jsonl) == (try Export.run(db: direct, format: .jsonl)))
        #expect(try g(merged) == (try g(direct)))
        #expect(try g(merged).contains("iperf"))
        #expect(try Export.run(db: b, format: .jsonl) != (try Export.run(db: direct, format: .jsonl)))
    }

    @Test("merging the same stores twice changes nothing: every source already present, every table row for row")
    func twiceIsOnce() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (nodes, _) = try Self.nodesAndDirect(dir)
        let merged = dir.appendingPathComponent("merged.db").path
        _ = try Merge.run(db: merged, inputs: nodes)
        let once = try Self.dump(merged)
        #expect(once.contains("INSERT INTO edge_bucket_points"))
        let again = try Merge.run(db: merged, inputs: nodes + [nodes[0]])
        #expect(again.added == 0 && again.refused == 0)
        #expect(again.present == Self.parts.map(\.count).reduce(0, +) + Self.parts[0].count)  // all of them
        #expect(Merge.text(again).contains("\(nodes[0]): 0 source(s) added, \(Self.parts[0].count) already present"))
        #expect(try Self.dump(merged) == once)
        // Merging into a node store what it already holds, plus the others, leaves its own rows to it.
        let grown = try Merge.run(db: nodes[0], inputs: [merged])
        #expect(grown.inputs[0].absorbed.present == Self.parts[0].count)
    }

    @Test("forget of a merged source equals forget on the direct store")
    func forgetMergedSource() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (nodes, direct) = try Self.nodesAndDirect(dir)
        let merged = dir.appendingPathComponent("merged.db").path
        _ = try Merge.run(db: merged, inputs: nodes)
        for path in [Self.parts[1][1], Self.parts[2].last!] {
            let a = try Forget.run(db: direct, source: path), b = try Forget.run(db: merged, source: path)
            #expect(a.buckets == b.buckets && a.buckets > 0)
            #expect(a.sources.map(\.id) == b.sources.map(\.id))
        }
        #expect(try Self.everything(merged) == (try Self.everything(direct)))
        // prune too.
        let cut = try #require(try FlowStore(path: direct).sources().compactMap(\.lastFlow).max())
        #expect(try Prune.run(db: direct, before: cut) == (try Prune.run(db: merged, before: cut)))
        #expect(try Self.everything(merged) == (try Self.everything(direct)))
    }

    @Test("bucket widths: narrower buckets fold exactly into a whole multiple; any other width refuses, naming both")
    func bucketWidths() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let minute: Int64 = 60_000_000_000, hour = 60 * minute
        let fine = dir.appendingPathComponent("fine.db").path, odd = dir.appendingPathComponent("odd.db").path
        let hourly = dir.appendingPathComponent("hourly.db").path, direct = dir.appendingPathComponent("direct.db").path
        try Self.ingest(Self.parts[0], db: fine, bucket: 5 * minute)
        try Self.ingest(Self.parts[1], db: hourly, bucket: hour)
        try Self.ingest(Self.parts[3], db: odd, bucket: 7 * minute)
        try Self.ingest(Self.parts[0], db: direct, bucket: hour)
        try Self.ingest(Self.parts[1], db: direct, bucket: hour)
        // A new target takes the widest width; the 5m buckets fold into 1h ones, exactly as a 1h ingest counts.
        let merged = dir.appendingPathComponent("merged.db").path
        let r = try Merge.run(db: merged, inputs: [fine, hourly])
        #expect(r.bucketWidth == hour && r.inputs[0].absorbed.foldedFrom == 5 * minute)
        #expect(try Self.everything(merged) == (try Self.everything(direct)))
        // 7m does not divide 1h: refused before anything is written, naming both widths.
        let before = try Self.dump(merged)
        #expect { _ = try Merge.run(db: merged, inputs: [fine, odd]) } throws: { e in
            let s = "\(e)"
            return e is FlowStore.BucketWidthMismatch && s.contains("7m") && s.contains("1h") && s.contains(odd)
        }
        #expect(try Self.dump(merged) == before)
        // Nor can wider buckets be split into narrower ones.
        #expect(throws: FlowStore.BucketWidthMismatch.self) { _ = try Merge.run(db: fine, inputs: [hourly]) }
    }

    @Test("a damaged, a non-FlowMap and a missing input are refused with their path; the others are merged")
    func damagedInput() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (nodes, _) = try Self.nodesAndDirect(dir)
        // Overwrite part of every b-tree page but the first of node 1's file (its WAL checkpointed on close).
        let damaged = nodes[1]
        let size = try FileManager.default.attributesOfItem(atPath: damaged)[.size] as! Int
        #expect(size > 4096 * 4)
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: damaged))
        for page in 1..<(size / 4096) {
            try h.seek(toOffset: UInt64(4096 * page + 16))
            try h.write(contentsOf: Data(repeating: 0xFF, count: 200))
        }
        try h.close()
        let other = dir.appendingPathComponent("other.db").path
        #expect(try TestSupport.run("/usr/bin/sqlite3", [other, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"]).0 == 0)
        let text = dir.appendingPathComponent("notes.txt").path
        TestSupport.write("not a database\n", to: URL(fileURLWithPath: text))
        let missing = dir.appendingPathComponent("missing.db").path
        let merged = dir.appendingPathComponent("merged.db").path
        let r = try Merge.run(db: merged, inputs: [nodes[0], damaged, other, text, missing, nodes[2], merged])
        #expect(r.refused == 5)
        for (i, path) in [(1, damaged), (2, other), (3, text), (4, missing), (6, merged)] {
            let e = try #require(r.inputs[i].error, "\(path)")
            #expect(e.hasPrefix(path), "\(e)")
        }
        #expect(r.inputs[1].error!.contains("damaged"))
        #expect(r.inputs[2].error!.contains("not a FlowMap store"))
        // Node 2's inventory is node 0's.
        #expect(r.added == Self.parts[0].count + Self.parts[2].count - 1)
        let s = try FlowStore(path: merged)
        #expect(try s.sources().map(\.path) == Self.parts[0] + Self.parts[2].dropFirst())
        #expect(try TestSupport.run("/usr/bin/sqlite3", [other, "SELECT count(*) FROM sqlite_master"]).1 == "1\n",
                "the other program's database is left as it was")
    }

    @Test("merge knows every table of the current schema (a migration adding one must carry it)")
    func everyTableClassified() throws {
        let dir = TestSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try FlowStore(path: dir.appendingPathComponent("s.db").path)
        let t = FlowStore.mergeTables
        let known = t.perSource.union(t.shared).union(t.derived).union(t.emptied)
        let tables = Set(try s.db.tableNames())
        #expect(tables.subtracting(known).isEmpty, "tables merge does not carry: \(tables.subtracting(known).sorted())")
        #expect(known.subtracting(tables).isEmpty, "\(known.subtracting(tables).sorted())")
    }
}
