import Foundation
import Testing
import FlowMapKit
import FlowModel
import FlowStore

/// Issue 17, growing files: a file that only grew is read from where the last ingest stopped, so ingest, append,
/// re-ingest equals one ingest of the whole; a file whose beginning changed (rotated, rewritten) is read as new.
@Suite("Growing files")
struct GrowingFileTests {
    /// Everything a store holds as evidence, in a comparable form.
    struct Evidence: Equatable {
        var edges: [ObservedEdge]
        var l7: [String]
        var lines: Int64, accepted: Int64, skipped: Int64, rejected: Int64, replies: Int64

        init(_ db: String) throws {
            let s = try FlowStore(path: db)
            edges = try s.edges()
            l7 = try s.l7().flatMap { k, v in v.map { "\(k) \($0.request) \($0.stats.flows) \($0.stats.firstSeen) \($0.stats.lastSeen)" } }
                .sorted()
            let sources = try s.sources()
            lines = sources.reduce(0) { $0 + $1.counts.lines }
            accepted = sources.reduce(0) { $0 + $1.counts.accepted }
            skipped = sources.reduce(0) { $0 + $1.counts.skipped }
            rejected = sources.reduce(0) { $0 + $1.counts.rejected }
            replies = sources.reduce(0) { $0 + $1.counts.replies }
        }
    }

    static func sample(_ name: String) throws -> [String] {
        let path = TestSupport.hubbleSamples.first { $0.hasSuffix(name) }!
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func append(_ text: String, to url: URL) throws { try append(Data(text.utf8), to: url) }

    static func append(_ data: Data, to url: URL) throws {
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: data)
        try h.close()
    }

    /// Ingests `path` into `db`; fails the test on a failure.
    @discardableResult
    static func ingest(_ path: String, _ db: String, format: InputFormat = .auto) throws -> Ingest.Report {
        var o = Ingest.Options(db: db)
        o.format = format
        let r = try Ingest.run(paths: [path], options: o) { _ in }
        #expect(r.failures.isEmpty, "\(r.failures)")
        return r
    }

    @Test("ingest, append, re-ingest equals one ingest of the whole: edges, L7, every count; only the new part is read")
    func appendedHubble() throws {
        let lines = try Self.sample("basic-sample-348-http-flows.json")
        let dir = TestSupport.tempDir()
        let log = dir.appendingPathComponent("flows.json")
        let cut = 200
        TestSupport.write(lines[..<cut].joined(separator: "\n") + "\n", to: log)
        let grown = dir.appendingPathComponent("grown.db").path
        try Self.ingest(log.path, grown)
        try Self.append(lines[cut...].joined(separator: "\n") + "\n", to: log)
        let second = try Self.ingest(log.path, grown)
        #expect(second.files.first?.resumedFrom?.path == log.path)
        #expect(second.total.lines == Int64(lines.count - cut), "the part read before was read again")

        let whole = dir.appendingPathComponent("whole.db").path
        try Self.ingest(log.path, whole)  // the same file, complete, in a store that never saw it
        #expect(try Evidence(grown) == Evidence(whole))
        #expect(try !FlowStore(path: whole).edges().isEmpty)

        // Unchanged since: the same content, nothing read again, nothing doubled.
        let third = try Self.ingest(log.path, grown)
        #expect(third.files.first?.duplicateOf != nil)
        #expect(try Evidence(grown) == Evidence(whole))
    }

    @Test("a half line at the end is not counted: it is read whole by the next ingest, after the writer finished it")
    func halfLine() throws {
        let lines = try Self.sample("basic-sample-400-tcp-flows.json")
        let dir = TestSupport.tempDir()
        let log = dir.appendingPathComponent("flows.json")
        let cut = 150
        let half = lines[cut].prefix(lines[cut].count / 2)
        TestSupport.write(lines[..<cut].joined(separator: "\n") + "\n" + half, to: log)
        let grown = dir.appendingPathComponent("grown.db").path
        let first = try Self.ingest(log.path, grown)
        #expect(first.total.accepted == Int64(cut))
        #expect(first.total.rejected == 1, "the half line is reported")
        try Self.append(String(lines[cut].dropFirst(half.count)) + "\n" + lines[(cut + 1)...].joined(separator: "\n") + "\n",
                        to: log)
        let second = try Self.ingest(log.path, grown)
        #expect(second.total.rejected == 0)
        #expect(second.total.accepted == Int64(lines.count - cut), "the finished line is read once, whole")

        let whole = dir.appendingPathComponent("whole.db").path
        try Self.ingest(log.path, whole)
        var a = try Evidence(grown)
        let b = try Evidence(whole)
        #expect(a.edges == b.edges)
        #expect(a.accepted == b.accepted && a.replies == b.replies && a.lines == b.lines + 1)
        a.rejected -= 1  // the earlier ingest saw the half line
        a.lines -= 1
        #expect(a == b)
    }

    @Test("a generic CSV that grew is read on with its header; a last line without a newline that parses counts once")
    func csvKeepsHeader() throws {
        let header = "time,src_namespace,src_workload,dst_namespace,dst_workload,dst_port,proto,verdict"
        func row(_ i: Int) -> String {
            "2024-05-01T10:\(String(format: "%02d", i % 60)):00Z,shop,web\(i % 3),shop,db\(i % 2),\(5432 + i % 2),TCP,FORWARDED"
        }
        let dir = TestSupport.tempDir()
        let log = dir.appendingPathComponent("flows.csv")
        TestSupport.write(([header] + (0..<10).map(row)).joined(separator: "\n"), to: log)  // no final newline
        let grown = dir.appendingPathComponent("grown.db").path
        #expect(try Self.ingest(log.path, grown).total.accepted == 10)
        try Self.append("\n" + (10..<25).map(row).joined(separator: "\n") + "\n", to: log)
        let second = try Self.ingest(log.path, grown)
        #expect(second.files.first?.resumedFrom != nil)
        #expect(second.total.rejected == 0, "the rows after the resume point lost their header")
        #expect(second.total.accepted == 15)
        let whole = dir.appendingPathComponent("whole.db").path
        try Self.ingest(log.path, whole)
        #expect(try FlowStore(path: grown).edges() == FlowStore(path: whole).edges())
    }

    @Test("a rotated or rewritten file (its beginning changed) is read as new; a renamed one goes on where it stopped")
    func rotated() throws {
        let lines = try Self.sample("basic-sample-400-tcp-flows.json")
        let dir = TestSupport.tempDir()
        let log = dir.appendingPathComponent("flows.json")
        let db = dir.appendingPathComponent("s.db").path
        TestSupport.write(lines[..<100].joined(separator: "\n") + "\n", to: log)
        try Self.ingest(log.path, db)
        // Rotation: the name now holds other flows, longer than the first file. Read whole, as new.
        TestSupport.write(lines[100...].joined(separator: "\n") + "\n", to: log)
        let r = try Self.ingest(log.path, db)
        #expect(r.files.first?.resumedFrom == nil)
        #expect(r.total.lines == Int64(lines.count - 100))
        // The first file again, grown, under the name rotation gave it: it goes on after its first 100 lines.
        let rotatedName = dir.appendingPathComponent("flows.json.1")
        TestSupport.write(lines.joined(separator: "\n") + "\n", to: rotatedName)
        let again = try Self.ingest(rotatedName.path, db)
        #expect(again.files.first?.resumedFrom?.path == log.path)
        #expect(again.total.lines == Int64(lines.count - 100))
    }

    @Test("a gzip that grew by a member is decompressed from its start and read on after what was read")
    func grownGzip() throws {
        let lines = try Self.sample("basic-sample-400-tcp-flows.json")
        let dir = TestSupport.tempDir()
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        TestSupport.write(lines[..<170].joined(separator: "\n") + "\n", to: a)
        TestSupport.write(lines[170...].joined(separator: "\n") + "\n", to: b)
        for f in [a, b] { _ = try TestSupport.run("/usr/bin/env", ["gzip", "-n", f.path]) }
        let gz = dir.appendingPathComponent("flows.json.gz")
        try FileManager.default.copyItem(at: dir.appendingPathComponent("a.gz"), to: gz)
        let grown = dir.appendingPathComponent("grown.db").path
        try Self.ingest(gz.path, grown)
        try Self.append(try Data(contentsOf: dir.appendingPathComponent("b.gz")), to: gz)
        let second = try Self.ingest(gz.path, grown)
        #expect(second.files.first?.resumedFrom != nil)
        #expect(second.total.lines == Int64(lines.count - 170))
        let whole = dir.appendingPathComponent("whole.db").path
        try Self.ingest(gz.path, whole)
        #expect(try Evidence(grown) == Evidence(whole))
    }
}
