import Foundation
import TestSupport
import Testing

/// Issue 20: every verb that prints a result has `--output json`, and what it prints follows its documented
/// schema (schema/<verb>.schema.json, python jsonschema from the venv, FLOWMAP_VENV); `--output yaml` is the
/// same document.
@Suite("Output schemas", .serialized)
struct OutputSchemaTests {
    /// Runs `python -c code args`; status and combined output.
    static func python(_ code: String, _ args: [String]) throws -> (Int32, String) {
        try Oracle.python(["-c", code] + args)
    }

    /// Validates each (schema, document) pair, strictly (formats checked); nonzero with the errors when any fails.
    static func validate(_ pairs: [(schema: String, document: String)]) throws -> (Int32, String) {
        try Oracle.jsonSchema(pairs)
    }

    static func schema(_ verb: String) -> String {
        Binary.repoRoot.appendingPathComponent("schema/\(verb).schema.json").path
    }

    /// One command line per verb, each printing its result as JSON.
    static func commands(_ f: (flows: String, db: String, policies: String, other: String), _ dir: URL) -> [(String, [String])] {
        [("ingest", ["ingest", "--db", dir.appendingPathComponent("i.db").path, f.flows]),
         ("summary", ["summary", "--db", f.db, "--policies", f.policies]),
         ("generate", ["generate", "--db", f.db, "--out", dir.appendingPathComponent("out").path, "--allow-breaks"]),
         ("doctor", ["doctor", "--db", f.db]),
         ("sources", ["sources", "--db", f.db]),
         ("merge", ["merge", "--db", dir.appendingPathComponent("m.db").path, f.db]),
         ("check", ["check", "--db", f.db, "--policies", f.policies]),
         ("connectivity", ["connectivity", "--db", f.db, "--policies", f.policies, "--exposure"]),
         ("diff", ["diff", "--db", f.db, f.policies, f.other]),
         ("explain", ["explain", "--db", f.db, "--policies", f.policies, "ns0/svc0", "ns1/svc1", "TCP/8001"]),
         ("map", ["map", "--db", f.db, "--policies", f.policies]),
         ("remap", ["remap", "--db", f.db]),
         ("forget", ["forget", "--db", dir.appendingPathComponent("f.db").path, f.flows]),
         ("prune", ["prune", "--db", dir.appendingPathComponent("p.db").path, "--before", "2024-03-02T00:00:00Z"])]
    }

    /// Verbs whose output is validated by another test than `everyVerbFollowsItsSchema`'s command list (JSON
    /// Lines, or a verb needing kubectl and hubble).
    static let validatedElsewhere: [String: String] = [
        "collect": "everyVerbFollowsItsSchema, with stand-in kubectl and hubble",
        "watch": "watchLinesFollowTheirSchema (JSON Lines)",
        "export": "FlowMapKitTests \"export follows schema/export.schema.json\" (JSON Lines)",
    ]

    @Test("every verb's --output json follows schema/<verb>.schema.json; a document breaking one fails")
    func everyVerbFollowsItsSchema() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        var pairs: [(schema: String, document: String)] = []
        for (verb, args) in Self.commands(f, dir) {
            let r = try Binary.output(args + ["--output", "json"])
            #expect(r.status != 2, "\(verb): \(r.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(json?["verb"] as? String == verb, "\(verb): \(r.stdout.prefix(300))")
            #expect(json?["schema_version"] as? Int == 1, "\(verb)")
            let doc = dir.appendingPathComponent("\(verb).json")
            try r.stdout.write(to: doc, atomically: true, encoding: .utf8)
            pairs.append((Self.schema(verb), doc.path))
        }
        // collect runs kubectl and hubble: the stand-ins on PATH (the README's quick start uses them too).
        let s = try StandIns()
        let c = try s.sh("flowmap collect --duration 2s --db c.db --output json")
        #expect(c.status == 0, "collect: \(c.err)")
        let collect = dir.appendingPathComponent("collect.json")
        try c.out.write(to: collect, atomically: true, encoding: .utf8)
        pairs.append((Self.schema("collect"), collect.path))
        let collected = try JSONSerialization.jsonObject(with: Data(c.out.utf8)) as? [String: Any]
        #expect(collected?["verb"] as? String == "collect" && (collected?["flows"] as? [String: Any])?["accepted"] as? Int ?? 0 > 0,
                "\(c.out.prefix(400))")
        // The store verbs did what they say (not only printed a valid document).
        let pruned = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("prune.json"))) as? [String: Any]
        #expect((pruned?["buckets"] as? Int ?? 0) > 0 && pruned?["before"] as? String == "2024-03-02T00:00:00Z", "\(String(describing: pruned))")
        let forgot = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("forget.json"))) as? [String: Any]
        #expect((forgot?["sources"] as? [[String: Any]])?.first?["path"] as? String == f.flows, "\(String(describing: forgot))")

        let (status, out) = try Self.validate(pairs)
        #expect(status == 0, "\(out)")
        #expect(out.contains("\(pairs.count) checked, 0 errors"), "\(out)")
        // The schemas are strict: an unknown key or a port as text fails.
        let broken = dir.appendingPathComponent("broken.json")
        try #"{"schema_version": 1, "verb": "doctor", "db": "x", "healthy": true, "store_schema": 5, "latest_known_schema": 5, "integrity": ["ok"], "sources": 1, "edges": 1, "dbPath": "x"}"#
            .write(to: broken, atomically: true, encoding: .utf8)
        #expect(try Self.validate([(Self.schema("doctor"), broken.path)]).0 != 0)
    }

    @Test("--output yaml is the same document as --output json")
    func yamlIsTheSameDocument() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        // ingest, merge and generate change the store or the folder they write; map draws json, not yaml.
        // forget and prune change their store, a second run reports something else.
        for (verb, args) in Self.commands(f, dir) where !["ingest", "merge", "generate", "map", "forget", "prune"].contains(verb) {
            let json = try Binary.output(args + ["-o", "json"]).stdout
            let yaml = try Binary.output(args + ["-o", "yaml"]).stdout
            let a = dir.appendingPathComponent("\(verb).json"), b = dir.appendingPathComponent("\(verb).yaml")
            try json.write(to: a, atomically: true, encoding: .utf8)
            try yaml.write(to: b, atomically: true, encoding: .utf8)
            let (status, out) = try Self.python(
                "import json, sys, yaml; sys.exit(0 if json.load(open(sys.argv[1])) == yaml.safe_load(open(sys.argv[2])) else 1)",
                [a.path, b.path])
            #expect(status == 0, "\(verb): \(out)\n\(yaml.prefix(400))")
        }
    }

    @Test("check and connectivity name the same things alike: source, destination, structured ports, context keys")
    func checkAndConnectivityShareKeys() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        func object(_ args: [String]) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(Binary.output(args + ["-o", "json"]).stdout.utf8))
                as? [String: Any])
        }
        let check = try object(["check", "--db", f.db, "--policies", f.policies])
        let conn = try object(["connectivity", "--db", f.db, "--policies", f.policies])
        for key in ["summary", "policies", "workloads", "caveats", "schema_version", "verb"] {
            #expect(check[key] != nil && conn[key] != nil, "\(key)")
        }
        let item = try #require((check["would_break"] as? [[String: Any]])?.first)
        let pair = try #require((conn["connections"] as? [[String: Any]])?.first)
        #expect(Set(["source", "destination"]).isSubset(of: item.keys) && Set(["source", "destination"]).isSubset(of: pair.keys))
        let port = try #require(item["port"] as? [String: Any])
        let ports = try #require((pair["ports"] as? [[String: Any]])?.first)
        #expect(Set(port.keys) == Set(ports.keys) && Set(port.keys) == ["protocol", "port", "end_port"])
    }

    @Test("watch --output jsonl: every line follows schema/watch.schema.json (events, then the summary)")
    func watchLinesFollowTheirSchema() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        let s = try StandIns()
        let r = try s.sh("flowmap watch --policies '\(f.policies)' --output jsonl - < '\(f.flows)'")
        #expect(r.status == 1, "the deny in ns1 blocks observed traffic: \(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.count >= 3, "\(r.out)")
        #expect(lines.last?.contains("\"event\":\"summary\"") == true && lines.contains { $0.contains("\"event\":\"blocked\"") })
        var pairs: [(schema: String, document: String)] = []
        for (i, line) in lines.enumerated() {
            let doc = dir.appendingPathComponent("watch-\(i).json")
            try line.write(to: doc, atomically: true, encoding: .utf8)
            pairs.append((Self.schema("watch"), doc.path))
        }
        let (status, out) = try Self.validate(pairs)
        #expect(status == 0 && out.contains("\(lines.count) checked, 0 errors"), "\(out)")
        let broken = dir.appendingPathComponent("broken.json")
        try #"{"event": "blocked", "source": "a", "destination": "b", "port": {"protocol": "TCP", "port": "80", "end_port": 80}, "flows": 1, "first_seen": "", "last_seen": "", "source_egress_policies": [], "destination_ingress_policies": []}"#
            .write(to: broken, atomically: true, encoding: .utf8)
        #expect(try Self.validate([(Self.schema("watch"), broken.path)]).0 != 0)
        // --output json: no events while it runs, one document at the end, the same schema
        let j = try s.sh("flowmap watch --policies '\(f.policies)' -o json - < '\(f.flows)'")
        #expect(j.status == 1, "\(j.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any], "\(j.out)")
        #expect(report["verb"] as? String == "watch" && (report["blocked"] as? [Any])?.isEmpty == false, "\(j.out)")
        let doc = dir.appendingPathComponent("watch-report.json")
        try j.out.write(to: doc, atomically: true, encoding: .utf8)
        let (jStatus, jOut) = try Self.validate([(Self.schema("watch"), doc.path)])
        #expect(jStatus == 0 && jOut.contains("1 checked, 0 errors"), "\(jOut)")
    }

    @Test("every verb of the CLI (ArgumentParser's command tree) prints results with --output json or jsonl, has schema/<verb>.schema.json and a test validating it")
    func everyVerbHasJSONOutput() throws {
        let dump = try Binary.output(["--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let root = try #require(tree["command"] as? [String: Any])
        let verbs = try #require(root["subcommands"] as? [[String: Any]])
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tested = Set(Self.commands(("f", "d", "p", "o"), dir).map(\.0))
        var names: [String] = []
        for v in verbs {
            let name = try #require(v["commandName"] as? String)
            if name == "help" { continue }  // ArgumentParser's own
            names.append(name)
            let arguments = v["arguments"] as? [[String: Any]] ?? []
            let output = arguments.first { a in
                (a["names"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "output" }
            }
            let values = output?["allValues"] as? [String] ?? []
            #expect(values.contains("json") || values.contains("jsonl"),
                    "flowmap \(name) has no --output json (or jsonl): \(values)")
            #expect(FileManager.default.fileExists(atPath: Self.schema(name)), "schema/\(name).schema.json is missing")
            #expect(tested.contains(name) || Self.validatedElsewhere[name] != nil,
                    "flowmap \(name)'s JSON is validated by no test: add it to OutputSchemaTests.commands")
        }
        // The walk saw the verbs (not an empty or renamed tree).
        #expect(Set(["check", "collect", "forget", "ingest", "prune", "remap", "watch"]).isSubset(of: Set(names)), "\(names)")
    }
}
