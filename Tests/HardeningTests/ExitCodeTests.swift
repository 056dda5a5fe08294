#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Issue 13: one exit-code contract for the policy verbs, run as a user runs them. 0 evaluated everything, no
/// finding; 1 evaluated everything, a finding; 2 could not evaluate. Nothing passes silently.
@Suite("Exit codes", .serialized)
struct ExitCodeTests {
    /// A store of observed traffic between svc0..svc7 in ns0..ns3 (labels app=svcN).
    static func store(_ dir: URL) throws -> String {
        let input = dir.appendingPathComponent("f.json")
        try Synthetic.hubble(lines: 200, workloads: 8).write(to: input, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("s.db").path
        #expect(try Binary.run(["ingest", "--db", db, input.path]).0 == 0)
        return db
    }

    @Test("check: 2 for nothing to evaluate and for every invalid policy; --skip-invalid says so in the verdict")
    func checkRefusesWhatItCannotEvaluate() throws {
        let dir = Binary.tempDir()
        let db = try Self.store(dir)
        let cases: [(String, [String: String], String)] = [
            ("empty", [:], "no manifest files"),
            ("readme", ["README.md": "# policies\n"], "no manifest files"),
            ("configmap", ["c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"], "no NetworkPolicy"),
            ("typo-field", ["p.yaml": CLIFixtures.np("ns0", "p", "{podSelectr: {}}")], "unknown field \"podSelectr\""),
            ("lower-proto", ["p.yaml": CLIFixtures.np("ns0", "p", "{podSelector: {}, ingress: [{ports: [{protocol: tcp, port: 80}]}]}")], "Unsupported value: \"tcp\""),
            ("bad-type", ["p.yaml": CLIFixtures.np("ns0", "p", "{podSelector: {}, policyTypes: [Ingres]}")], "Unsupported value: \"Ingres\""),
            ("old-version", ["p.yaml": CLIFixtures.np("ns0", "p", "{podSelector: {}}", apiVersion: "extensions/v1beta1")], "unsupported apiVersion"),
            ("kind-typo", ["p.yaml": CLIFixtures.np("ns0", "p", "{podSelector: {}}", kind: "NetworkPolcy")], "no matches for kind \"NetworkPolcy\""),
            ("control-char", ["p.yaml": CLIFixtures.allowAll + "---\n" + CLIFixtures.np("ns1", "q", "{podSelector: {}}") + "# \u{01}\n"], "document 1"),
            ("duplicate", ["a.yaml": CLIFixtures.allowAll, "b.yaml": CLIFixtures.allowAll], "Duplicate value"),
        ]
        for (name, files, message) in cases {
            let path = try CLIFixtures.folder(dir, name, files)
            let (code, out) = try Binary.run(["check", "--db", db, "--policies", path])
            #expect(code == 2, "\(name): exit \(code): \(out)")
            #expect(out.contains(message), "\(name): \(out)")
        }
        // The control character fails only its document: with --skip-invalid the other one is evaluated.
        let mixed = dir.appendingPathComponent("control-char").path
        let (code, out) = try Binary.run(["check", "--db", db, "--policies", mixed, "--skip-invalid"])
        #expect(code == 0, "\(out)")
        #expect(out.contains("[1 policies,") && out.contains("evaluated without 1 invalid object(s): --skip-invalid"), "\(out)")
        // A store without edges.
        let emptyDB = dir.appendingPathComponent("empty.db").path
        let none = dir.appendingPathComponent("none.json")
        try "".write(to: none, atomically: true, encoding: .utf8)
        _ = try Binary.run(["ingest", "--db", emptyDB, none.path])
        let (ec, eout) = try Binary.run(["check", "--db", emptyDB, "--policies", try CLIFixtures.folder(dir, "ok", ["p.yaml": CLIFixtures.allowAll])])
        #expect(ec == 2 && eout.contains("no observed connections"), "\(eout)")
        // Bad usage.
        #expect(try Binary.run(["check", "--db", db]).0 == 2)
        #expect(try Binary.run(["check", "--db", db, "--policies", mixed, "--output", "xml"]).0 == 2)
    }

    @Test("check: typed lists without item kind are evaluated; 0 nothing breaks, 1 something breaks")
    func checkFindings() throws {
        let dir = Binary.tempDir()
        let db = try Self.store(dir)
        let list = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicyList
            items:
            - metadata: {name: deny-ns1, namespace: ns1}
              spec: {podSelector: {}, policyTypes: [Ingress]}
            """
        let (code, out) = try Binary.run(["check", "--db", db, "--policies", try CLIFixtures.folder(dir, "list", ["l.yaml": list])])
        #expect(code == 1, "\(out)")
        #expect(out.contains("[1 policies,") && out.contains("would break"), "\(out)")
        let (ok, okOut) = try Binary.run(["check", "--db", db, "--policies", try CLIFixtures.folder(dir, "open", ["p.yaml": CLIFixtures.allowAll])])
        #expect(ok == 0, "\(okOut)")
        #expect(okOut.hasPrefix("verdict: nothing observed would break"), "\(okOut)")
    }

    @Test("unsupported kinds are named with count and effect, exit 2 unless --ignore-kind; harmless kinds stay quiet")
    func unsupportedKinds() throws {
        let dir = Binary.tempDir()
        let db = try Self.store(dir)
        let cnp = "apiVersion: cilium.io/v2\nkind: CiliumLocalRedirectPolicy\nmetadata: {name: c, namespace: ns0}\nspec: {}\n"
        let path = try CLIFixtures.folder(dir, "cilium", ["p.yaml": CLIFixtures.allowAll, "c.yaml": cnp + "---\n" + cnp.replacingOccurrences(of: "name: c", with: "name: d"),
                                                   "m.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"])
        for verb in [["check", "--db", db], ["connectivity", "--db", db], ["map", "--db", db, "--out", dir.appendingPathComponent("m.html").path]] {
            let (code, out) = try Binary.run(verb + ["--policies", path])
            #expect(code == 2, "\(verb[0]): \(out)")
            #expect(out.contains("2 CiliumLocalRedirectPolicy.cilium.io") && out.contains("Cilium local redirects")
                    && out.contains("--ignore-kind CiliumLocalRedirectPolicy.cilium.io"), "\(verb[0]): \(out)")
            #expect(!out.contains("unsupported: 1 ConfigMap"), "\(out)")
        }
        let (code, out) = try Binary.run(["check", "--db", db, "--policies", path, "--ignore-kind", "CiliumLocalRedirectPolicy"])
        #expect(code == 0, "\(out)")
        #expect(out.contains("ignoring 2 CiliumLocalRedirectPolicy.cilium.io: --ignore-kind"), "\(out)")
    }

    @Test("connectivity and explain need workloads: exit 2 saying where to get them; explain 0 allowed, 1 denied")
    func workloadsAndExplain() throws {
        let dir = Binary.tempDir()
        let db = try Self.store(dir)
        let deny = CLIFixtures.np("ns1", "deny", "{podSelector: {}, policyTypes: [Ingress]}")
        let path = try CLIFixtures.folder(dir, "deny", ["p.yaml": deny])
        let (code, out) = try Binary.run(["connectivity", "--policies", path])
        #expect(code == 2 && out.contains("kubectl get pods -A -o yaml") && out.contains("--db"), "\(out)")
        #expect(try Binary.run(["explain", "--policies", path, "ns0/svc0", "ns1/svc1", "TCP/8001"]).0 == 2)
        #expect(try Binary.run(["connectivity", "--policies", path, "--db", db]).0 == 0)
        let (denied, dout) = try Binary.run(["explain", "--policies", path, "--db", db, "ns0/svc0", "ns1/svc1", "TCP/8001"])
        #expect(denied == 1, "\(dout)")
        #expect(dout.contains("ns1/deny: isolates ingress, no ingress rules"), "\(dout)")
        let (allowed, aout) = try Binary.run(["explain", "--policies", path, "--db", db, "ns1/svc1", "ns0/svc0", "TCP/8000"])
        #expect(allowed == 0, "\(aout)")
        #expect(try Binary.run(["explain", "--policies", path, "--db", db, "ns0/nothing", "ns0/svc0", "TCP/8000"]).0 == 2)
    }

    @Test("diff uses the same mapping: invalid input and bad usage are 2, a difference 1, none 0")
    func diffWiring() throws {
        let dir = Binary.tempDir()
        let db = try Self.store(dir)
        let open = try CLIFixtures.folder(dir, "open", ["p.yaml": CLIFixtures.allowAll])
        let deny = try CLIFixtures.folder(dir, "deny", ["p.yaml": CLIFixtures.np("ns1", "deny", "{podSelector: {}, policyTypes: [Ingress]}")])
        let bad = try CLIFixtures.folder(dir, "bad", ["p.yaml": CLIFixtures.np("ns0", "p", "{podSelectr: {}}")])
        #expect(try Binary.run(["diff", open, bad, "--db", db]).0 == 2)
        #expect(try Binary.run(["diff", open]).0 == 2)
        #expect(try Binary.run(["diff", open, deny, "--db", db]).0 == 1)
        #expect(try Binary.run(["diff", open, open, "--db", db]).0 == 0)
        #expect(try Binary.run(["explain", "--policies", open, "--db", db, "ns0/svc0", "ns1/svc1"]).0 == 2)
    }

    /// A full device of our own (a character node 1:7 in the temp dir, so a regression can never replace the
    /// machine's /dev/full), else /dev/full.
    static func fullDevice(_ dir: URL) -> String {
        let p = dir.appendingPathComponent("full").path
        #if canImport(Glibc)
        if mknod(p, S_IFCHR | 0o666, (1 << 8) | 7) == 0 { return p }
        #endif
        return "/dev/full"
    }

    @Test("every write is checked: --out and stdout on a full device exit 2 with the path; map --policies 1 on denied edges")
    func failedWrites() throws {
        let dir = Binary.tempDir()
        let db = try Self.store(dir)
        let full = Self.fullDevice(dir)
        let (code, out) = try Binary.run(["map", "--db", db, "--out", full])
        #expect(code == 2, "\(out)")
        #expect(out.contains("\(full): write failed") && !out.contains("wrote"), "\(out)")
        var st = stat()
        #expect(stat(full, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "the device node was replaced")
        let policies = try CLIFixtures.folder(dir, "deny", ["p.yaml": CLIFixtures.np("ns1", "deny", "{podSelector: {}, policyTypes: [Ingress]}")])
        for args in [["map", "--db", db], ["check", "--db", db, "--policies", policies],
                     ["connectivity", "--db", db, "--policies", policies], ["generate", "--db", db, "--out", "-"],
                     ["summary", "--db", db]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binary.flowmap)
            p.arguments = args
            p.standardOutput = try #require(FileHandle(forWritingAtPath: full))
            let err = Pipe()
            p.standardError = err
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 2, "\(args[0]): \(text)")
            #expect(text.contains("stdout: write failed"), "\(args[0]): \(text)")
        }
        let (mapCode, mapOut) = try Binary.run(["map", "--db", db, "--policies", policies, "--out", dir.appendingPathComponent("m.dot").path, "--output", "dot"])
        #expect(mapCode == 1 && mapOut.contains("observed but denied"), "\(mapOut)")
    }
}
