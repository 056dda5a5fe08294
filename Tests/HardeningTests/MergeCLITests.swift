import Foundation
import Testing

/// Issue 18: `flowmap merge` as a user runs it: what it says per input, and its exit codes (0 every store merged,
/// 1 one refused while the others are merged, 2 nothing could be merged: widths, usage).
@Suite("merge verb")
struct MergeCLITests {
    static func store(_ dir: URL, _ name: String, lines: Int, bucket: String? = nil) throws -> String {
        let input = dir.appendingPathComponent("\(name).json")
        try Synthetic.hubble(lines: lines, workloads: 6).write(to: input, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("\(name).db").path
        #expect(try Binary.run(["ingest", "--db", db, input.path] + (bucket.map { ["--bucket", $0] } ?? [])).0 == 0)
        return db
    }

    @Test("exit 0 with sources added, then already present; 1 naming a refused input (the rest merged); 2 for widths")
    func exitCodes() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.store(dir, "a", lines: 300), b = try Self.store(dir, "b", lines: 500)
        let target = dir.appendingPathComponent("t.db").path
        let first = try Binary.output(["merge", "--db", target, a, b])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\(a): 1 source(s) added, 0 already present"), "\(first.stdout)")
        #expect(first.stdout.contains("\(target): 2 source(s) added, 0 already present from 2 store(s)"), "\(first.stdout)")
        let again = try Binary.output(["merge", "--db", target, a])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\(a): 0 source(s) added, 1 already present"), "\(again.stdout)")

        let junk = dir.appendingPathComponent("junk.db")
        try Data("SQLite format 3\0 but not really".utf8).write(to: junk)
        let c = try Self.store(dir, "c", lines: 200)
        let partly = try Binary.output(["merge", "--db", target, junk.path, c, "-o", "json"])
        #expect(partly.status == 1, "\(partly.stderr)")
        #expect(partly.stderr.contains("flowmap merge: error: \(junk.path):"), "\(partly.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(partly.stdout.utf8)) as? [String: Any])
        #expect(doc["added"] as? Int == 1 && doc["refused"] as? Int == 1, "\(partly.stdout)")

        let odd = try Self.store(dir, "odd", lines: 100, bucket: "7m")
        let width = try Binary.output(["merge", "--db", target, odd])
        #expect(width.status == 2)
        #expect(width.stderr.contains("7m") && width.stderr.contains("1h") && width.stderr.contains(odd), "\(width.stderr)")
        #expect(try Binary.run(["merge", "--db", target]).0 == 2, "no store to merge is a usage error")
    }
}
