import Foundation
import Testing

/// Issues 20 and 21: the command line's conventions, run as a user runs them.
@Suite("CLI conventions", .serialized)
struct CLIConventionTests {
    @Test("a bad enum value is the verb's usage error listing the valid values, exit 2 (not the top-level usage)")
    func typedOptions() throws {
        let cases: [([String], [String])] = [
            (["generate", "--flavor", "k9s"], ["k8s", "cilium"]),
            (["generate", "--layout", "flat"], ["per-namespace", "per-workload"]),
            (["generate", "--dns", "none"], ["baseline", "observed"]),
            (["generate", "--selector", "max"], ["controller", "minimal"]),
            (["ingest", "--format", "pcap", "x"], ["auto", "hubble", "calico", "vpc", "flowmap-csv", "flowmap-jsonl", "inventory"]),
            (["check", "--policies", "p", "--host-network", "host"], ["pods", "node"]),
            (["check", "--policies", "p", "--cilium-enforcement", "some"], ["default", "always", "never"]),
            (["check", "--policies", "p", "-o", "xml"], ["text", "json", "md", "yaml"]),
            (["map", "-o", "svg"], ["dot", "html", "json", "mermaid"]),
        ]
        for (args, values) in cases {
            let r = try Binary.output(args)
            #expect(r.status == 2, "\(args): \(r.status)")
            #expect(r.stderr.contains("The value '\(args[args.count - (args[0] == "ingest" ? 2 : 1)])' is invalid"), "\(args): \(r.stderr)")
            for v in values {
                #expect(r.stderr.contains("'\(v)'") || r.stderr.contains("  - \(v)\n"), "\(args): \(v): \(r.stderr)")
            }
            #expect(r.stderr.contains("Usage: flowmap \(args[0])"), "\(args): \(r.stderr)")
        }
    }

    /// A command line of `verb` that parses: each required option and positional given `x`.
    static func minimal(_ verb: CommandTree.Verb) -> [String] {
        [verb.name] + verb.required.flatMap { [$0.names.last!, "x"] } + verb.positionals.filter { !$0.isOptional }.map { _ in "x" }
    }

    @Test("every verb (from the command tree): an unknown option, a mistyped option beside a missing required one, and a bad value of each enum option are that verb's usage errors, exit 2")
    func everyVerbUsageErrors() throws {
        let tree = CommandTree.shared
        #expect(tree.verbs.count >= 17, "\(tree.verbs.map(\.name))")
        var enums = 0, typos = 0
        for verb in tree.verbs {
            let unknown = try Binary.output(Self.minimal(verb) + ["--no-such-option"])
            #expect(unknown.status == 2, "\(verb.name): \(unknown.status) \(unknown.stderr)")
            #expect(unknown.stderr.lowercased().contains("unknown option '--no-such-option'")
                    && unknown.stderr.contains("Usage: flowmap \(verb.name)"), "\(verb.name): \(unknown.stderr)")
            #expect(unknown.stdout.isEmpty)
            // Nothing else given: the typo is what is reported, not the missing argument.
            if let required = verb.required.first, let long = required.names.last {
                typos += 1
                let typo = String(long.dropLast()) + "z"
                let r = try Binary.output([verb.name, typo, "x"])
                #expect(r.status == 2 && r.stderr.contains("unknown option '\(typo)'; did you mean '\(long)'?")
                        && r.stderr.contains("Usage: flowmap \(verb.name)") && !r.stderr.contains("Missing expected"),
                        "\(verb.name): \(r.stderr)")
            }
            for option in verb.arguments where option.kind == .option && !option.values.isEmpty {
                enums += 1
                let r = try Binary.output(Self.minimal(verb) + [option.names.last!, "bogus-value"])
                #expect(r.status == 2, "\(verb.name) \(option.names): \(r.stderr)")
                #expect(r.stderr.contains("The value 'bogus-value' is invalid") && r.stderr.contains("Usage: flowmap \(verb.name)"),
                        "\(verb.name) \(option.names): \(r.stderr)")
                for v in option.values {
                    #expect(r.stderr.contains("'\(v)'") || r.stderr.contains("  - \(v)\n"), "\(verb.name): \(v): \(r.stderr)")
                }
            }
        }
        #expect(enums > 30 && typos >= 4, "\(enums) enum options, \(typos) required options")
    }

    @Test("a mistyped verb is named, with the closest verb; exit 2")
    func mistypedVerb() throws {
        let r = try Binary.output(["chek", "--db", "x.db"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown verb 'chek'") && r.stderr.contains("did you mean 'check'?"), "\(r.stderr)")
        #expect(!r.stderr.contains("--db"), "\(r.stderr)")
    }

    @Test("errors name the verb and the fix")
    func errorsNameTheVerb() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.db").path
        for verb in ["summary", "map", "generate", "doctor"] {
            let r = try Binary.output([verb, "--db", missing])
            #expect(r.status == 2)
            #expect(r.stderr.contains("flowmap \(verb): error: \(missing): no such store; run `flowmap ingest"), "\(r.stderr)")
        }
        for verb in ["doctor", "summary", "generate", "ingest", "explain"] {
            let r = try Binary.output([verb, "-o", "md"])
            #expect(r.status == 2 && r.stderr.contains("Please provide one of 'text', 'json' or 'yaml'")
                    && r.stderr.contains("Usage: flowmap \(verb)"), "\(verb): \(r.stderr)")
        }
        let d = try Binary.output(["diff", "only-one"])
        #expect(d.status == 2 && d.stderr.contains("Usage: flowmap diff") && d.stderr.contains("(got 1 path(s))"), "\(d.stderr)")
    }

    @Test("map: -o/--output is what to draw, --out the file; -o json writes JSON to stdout, no file named json")
    func mapOutput() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try ExitCodeTests.store(dir)
        let r = try Binary.output(["map", "--db", db, "-o", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("{") && r.stdout.contains("\"verb\" : \"map\""))
        #expect(!FileManager.default.fileExists(atPath: "json"))
        let file = dir.appendingPathComponent("m.dot").path
        #expect(try Binary.output(["map", "--db", db, "--output", "dot", "--out", file]).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("digraph"))
        let old = try Binary.output(["map", "--db", db, "--format", "dot"])
        #expect(old.status == 2 && old.stderr.contains("now --output (-o) dot"), "\(old.stderr)")
    }

    @Test("--since/--until on every verb reading evidence; -n/-A; generate's json needs --out DIR")
    func windowAndNamespaces() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try ExitCodeTests.store(dir)
        let policies = try CLIFixtures.folder(dir, "p", ["a.yaml": CLIFixtures.allowAll])
        let future = "2200-01-01T00:00:00Z"
        let check = try Binary.output(["check", "--db", db, "--policies", policies, "--since", future])
        #expect(check.status == 2 && check.stderr.contains("no observed connections in 2200-01-01T00:00:00Z .. now"), "\(check.stderr)")
        let summary = try Binary.output(["summary", "--db", db, "--until", "2000-01-01T00:00:00Z", "-o", "json"])
        #expect(summary.status == 0 && summary.stdout.contains("\"edges\" : 0"), "\(summary.stdout.prefix(200))")
        let map = try Binary.output(["map", "--db", db, "-o", "json", "--since", future])
        #expect(map.status == 0 && map.stdout.contains("\"edges\" : [\n\n  ]"), "\(map.stdout.prefix(300))")
        let diff = try Binary.output(["diff", "--db", db, policies, "--generated", "--since", "nonsense"])
        #expect(diff.status == 2 && diff.stderr.contains("--since nonsense: expected an RFC 3339 time") && diff.stderr.contains("Usage: flowmap diff"), "\(diff.stderr)")
        let swapped = try Binary.output(["summary", "--db", db, "--since", "2024-03-02T00:00:00Z", "--until", "2024-03-01T00:00:00Z"])
        #expect(swapped.status == 2 && swapped.stderr.contains("is before --since") && swapped.stderr.contains("Usage: flowmap summary"), "\(swapped.stderr)")

        let both = try Binary.output(["generate", "--db", db, "-n", "ns0", "-A"])
        #expect(both.status == 2 && both.stderr.contains("contradict"), "\(both.stderr)")
        let one = try Binary.output(["generate", "--db", db, "-n", "ns0", "--out", "-"])
        #expect(one.status == 0 && one.stdout.contains("namespace: ns0") && !one.stdout.contains("namespace: ns1"), "\(one.stderr)")
        let json = try Binary.output(["generate", "--db", db, "--out", "-", "-o", "json"])
        #expect(json.status == 2 && json.stderr.contains("write them to a folder (--out DIR)"), "\(json.stderr)")
    }

    @Test("completion: enum values in the script, namespaces from the store")
    func completion() throws {
        let script = try Binary.output(["--generate-completion-script", "bash"]).stdout
        #expect(script.contains("'k8s'$'\\n''cilium'") && script.contains("'pods'$'\\n''node'"))
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try ExitCodeTests.store(dir)
        let r = try Binary.output(["---completion", "generate", "--", "--namespace", "5", "0",
                                   "flowmap", "generate", "--db", db, "-n", ""])
        #expect(r.stdout.split(separator: "\n").map(String.init) == ["ns0", "ns1", "ns2", "ns3"], "\(r.stdout) \(r.stderr)")
    }

    @Test("capture text reaches the terminal without bidi or other format characters (ingest, explain, check)")
    func terminalSafe() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A pod name a reader would see as `webexe.png-1` without the U+202E (rejected, and quoted in the error).
        let line = Synthetic.hubble(lines: 1, workloads: 1).replacingOccurrences(of: "svc0-7d4b9c8f6d-x7k2p", with: "web\u{202E}gnp.exe-1")
        let input = dir.appendingPathComponent("bidi.json")
        try line.write(to: input, atomically: true, encoding: .utf8)
        let r = try Binary.output(["ingest", "--db", dir.appendingPathComponent("b.db").path, input.path])
        #expect(r.status == 1 && r.stderr.contains("web?gnp.exe-1"), "\(r.stderr)")
        let db = try ExitCodeTests.store(dir)
        let policies = try CLIFixtures.folder(dir, "p", ["a.yaml": CLIFixtures.allowAll])
        let x = try Binary.output(["explain", "--db", db, "--policies", policies, "ns0/svc\u{202E}0", "ns1/svc1", "TCP/80"])
        #expect(x.status == 2 && x.stderr.contains("ns0/svc?0: no such workload"), "\(x.stderr)")
        let json = try Binary.output(["explain", "--db", db, "--policies", policies, "ns0/svc0", "ns1/svc1", "TCP/80", "-o", "json"])
        for out in [r.stdout, r.stderr, x.stdout, x.stderr, json.stdout] {
            #expect(!out.unicodeScalars.contains { $0.properties.generalCategory == .format || $0.value == 0x1B })
        }
    }
}
