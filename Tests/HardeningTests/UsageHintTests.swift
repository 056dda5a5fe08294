import Foundation
import Testing

/// Issue 20: mistakes a newcomer makes get an answer about the mistake.
@Suite("Usage hints")
struct UsageHintTests {
    @Test("a mistyped verb is named, with the closest verb, not blamed on the first option")
    func mistypedVerb() throws {
        let (status, out) = try Binary.run(["ingst", "--db", "x.db"])
        #expect(status == 2)
        // The wording is h20b's or this branch's, whichever the merge keeps: the verb, the closest one, the list.
        #expect(out.contains("unknown verb 'ingst'"), "\(out)")
        #expect(out.contains("did you mean 'ingest'") || out.contains("did you mean ingest"), "\(out)")
        #expect(!out.contains("Unknown option"))
        #expect(out.contains("verbs: check, collect,"))
    }

    @Test("--db in a folder that does not exist says so, for the verbs that read a store")
    func missingFolder() throws {
        let dir = Binary.tempDir().appendingPathComponent("no-such-folder").path
        for verb in [["summary"], ["generate", "--out", "-"], ["doctor"], ["map", "--out", "-"]] {
            let (status, out) = try Binary.run(verb + ["--db", dir + "/flowmap.db"])
            #expect(status == 2, "\(verb)")
            #expect(out.contains("the folder \(dir) does not exist"), "\(verb): \(out)")
        }
    }

    @Test("a directory passed to ingest suggests only patterns that match files in it (or one level down)")
    func directoryInput() throws {
        let root = Binary.tempDir()
        let flat = root.appendingPathComponent("flat")
        let nested = root.appendingPathComponent("nested")
        let empty = root.appendingPathComponent("empty")
        for d in [flat, nested.appendingPathComponent("node-a"), empty] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
        for f in ["flat/a.log", "flat/b.log", "flat/c.jsonl.gz", "flat/README.md", "nested/node-a/x.json",
                  "nested/SOURCES.md"] {
            try "x".write(to: root.appendingPathComponent(f), atomically: true, encoding: .utf8)
        }
        let db = root.appendingPathComponent("s.db").path
        let (status, out) = try Binary.run(["ingest", "--db", db, flat.path, nested.path, empty.path])
        #expect(status == 2)
        #expect(out.contains("\(flat.path): cannot open: is a directory; pass the files in it: \(flat.path)/*.log (2 files) "
                             + "\(flat.path)/*.jsonl.gz (1 file)"), "\(out)")
        #expect(out.contains("\(nested.path): cannot open: is a directory; pass the files in its subdirectories: "
                             + "\(nested.path)/*/*.json (1 file)"), "\(out)")
        #expect(out.contains("\(empty.path): cannot open: is a directory and holds no files to read"), "\(out)")
        #expect(!out.contains("*.md"))
    }
}
