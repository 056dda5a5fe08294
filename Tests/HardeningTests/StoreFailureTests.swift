import Foundation
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// Issue 12: exit codes keep "rejected lines" (1) apart from "could not use the store" (2); another program's
/// database is never written, not even by `doctor`; a read-only directory is named as such.
@Suite("Store failures and exit codes", .serialized)
struct StoreFailureTests {
    /// Runs python3 (the standard library's sqlite3 writes a database FlowMap did not make).
    func python(_ code: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", code]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "python3 failed")
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func input(_ dir: URL) throws -> String {
        let u = dir.appendingPathComponent("f.json")
        try Synthetic.hubble(lines: 20).write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    @Test("another program's database: every verb exits 2 with what to do, and the file is left byte-for-byte untouched")
    func foreignDatabase() throws {
        let dir = Binary.tempDir()
        let db = dir.appendingPathComponent("notes.db").path
        try python("import sqlite3; c = sqlite3.connect('\(db)'); c.execute('create table notes (body text)'); "
                   + "c.execute(\"insert into notes values ('keep me')\"); c.commit()")
        let before = try bytes(db)
        let f = try input(dir)
        for args in [["ingest", "--db", db, f], ["doctor", "--db", db], ["generate", "--db", db, "--out", "-"],
                     ["summary", "--db", db], ["map", "--db", db, "--output", "dot", "--out", "-"]] {
            let (status, out) = try Binary.run(args)
            #expect(status == 2, "\(args[0]): \(out)")
            #expect(out.contains("not a FlowMap store") && out.contains("left untouched"), "\(args[0]): \(out)")
        }
        #expect(try bytes(db) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["f.json", "notes.db"])
    }

    @Test("doctor never writes: a store from an earlier FlowMap keeps its bytes (no stamp, no migration)")
    func doctorReadOnly() throws {
        let dir = Binary.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let (s0, o0) = try Binary.run(["ingest", "--db", db, try input(dir)])
        #expect(s0 == 0, "\(o0)")
        // Make it look like an earlier FlowMap's store: schema 2, no application_id (rollback journal, so the
        // file alone is the whole store).
        try python("import sqlite3; c = sqlite3.connect('\(db)'); c.execute('pragma journal_mode=delete'); "
                   + "c.execute('pragma application_id=0'); c.execute('pragma user_version=2'); c.commit()")
        let before = try bytes(db)
        let (status, out) = try Binary.run(["doctor", "--db", db])
        #expect(status == 0, "\(out)")
        #expect(out.contains("schema 2"), "\(out)")
        #expect(try bytes(db) == before)
        // The next writing verb adopts and stamps it.
        let (s1, o1) = try Binary.run(["generate", "--db", db, "--out", "-"])
        #expect(s1 == 0, "\(o1)")
        let (_, o2) = try Binary.run(["doctor", "--db", db])
        #expect(o2.contains("schema \(Migrations.latest)"), "\(o2)")
    }

    @Test("a directory the store cannot be created in: `cannot create it`, exit 2, not `not a FlowMap store`")
    func readOnlyDirectory() throws {
        let dir = Binary.tempDir()
        let ro = dir.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: ro, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro.path)
        let db = ro.appendingPathComponent("s.db").path
        let f = try input(dir)
        // root ignores directory permissions: run as nobody then (setpriv, util-linux).
        var args = [Binary.flowmap, "ingest", "--db", db, f]
        if getuid() == 0 { args = ["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"] + args }
        let (status, out) = try Binary.run(program: args[0], Array(args.dropFirst()))
        #expect(status == 2, "\(out)")
        #expect(out.contains("cannot create it: the directory \(ro.path) is not writable"), "\(out)")
        #expect(!out.contains("not a FlowMap store"), "\(out)")
        // A missing directory is named too.
        let (s2, o2) = try Binary.run(["ingest", "--db", dir.appendingPathComponent("missing/s.db").path, f])
        #expect(s2 == 2 && o2.contains("does not exist"), "\(o2)")
    }

    @Test("ingest exit codes: 0 clean, 1 when lines were rejected, 2 when the store failed")
    func ingestExitCodes() throws {
        let dir = Binary.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let f = try input(dir)
        #expect(try Binary.run(["ingest", "--db", db, f]).0 == 0)
        let bad = dir.appendingPathComponent("bad.json")
        try (BadInputTests.goodLine + "\n{oops\n")
            .write(to: bad, atomically: true, encoding: .utf8)
        let (s1, o1) = try Binary.run(["ingest", "--db", db, bad.path])
        #expect(s1 == 1, "\(o1)")
        // A store that is not one: the store failed, not a line.
        let notDB = dir.appendingPathComponent("text.db")
        try String(repeating: "not a database. ", count: 100).write(to: notDB, atomically: true, encoding: .utf8)
        let (s2, o2) = try Binary.run(["ingest", "--db", notDB.path, bad.path])
        #expect(s2 == 2, "\(o2)")
    }

    @Test("counts past Int64.max across two files: every verb still works and doctor says ok")
    func countsPastInt64Max() throws {
        let dir = Binary.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let header = "time,src_namespace,src_pod,src_labels,dst_namespace,dst_workload,dst_workload_kind,dst_labels,"
            + "proto,dst_port,src_port,verdict,direction,count\n"
        var files: [String] = []
        for (i, n) in ["9223372036854775000", "9223372036854775001"].enumerated() {
            let u = dir.appendingPathComponent("f\(i).csv")
            try (header + "2024-05-01T10:00:0\(i)Z,shop,web-7d4b9c8f6d-x7k2p,app=web,shop,api,Deployment,app=api,tcp,8080,,"
                 + "allowed,egress,\(n)\n").write(to: u, atomically: true, encoding: .utf8)
            files.append(u.path)
        }
        for f in files {
            let (s, o) = try Binary.run(["ingest", "--db", db, f])
            #expect(s == 0, "\(o)")
        }
        let (ds, dout) = try Binary.run(["doctor", "--db", db])
        #expect(ds == 0 && dout.contains("integrity: ok"), "\(dout)")
        for args in [["generate", "--db", db, "--out", "-"], ["summary", "--db", db],
                     ["map", "--db", db, "--output", "dot", "--out", "-"]] {
            let (s, o) = try Binary.run(args)
            #expect(s == 0, "\(args[0]): \(o)")
        }
        let (_, summary) = try Binary.run(["summary", "--db", db])
        #expect(summary.contains("9223372036854775807"), "\(summary)")
        // What an earlier FlowMap stored for that sum (SQLite's REAL): doctor finds it, and no verb uses it.
        try python("import sqlite3; c = sqlite3.connect('\(db)'); c.execute('update edge_buckets set flows = 1.8446744073709552e19'); c.commit()")
        let (rs, rout) = try Binary.run(["doctor", "--db", db])
        #expect(rs == 1 && rout.contains("edge_buckets.flows"), "\(rout)")
        let (gs, gout) = try Binary.run(["generate", "--db", db, "--out", "-"])
        #expect(gs == 2 && gout.contains("flowmap doctor"), "\(gout)")
    }
}
