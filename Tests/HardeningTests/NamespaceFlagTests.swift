import Foundation
import Testing

/// Issue 20: `-n/--namespace` (repeatable) and `-A/--all-namespaces` on `check` and `connectivity`, with the
/// semantics and errors they have on `generate` and `map`: only what has an end in those namespaces is evaluated
/// and listed; an unknown namespace is exit 2 naming the closest known ones; `-A` is the default and contradicts
/// `-n`.
@Suite("Namespace flags on check and connectivity", .serialized)
struct NamespaceFlagTests {
    static func json(_ args: [String]) throws -> (status: Int32, doc: [String: Any], stderr: String) {
        let r = try Binary.output(args + ["-o", "json"])
        let doc = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
        return (r.status, doc, r.stderr)
    }

    /// Every item of check's lists, as (source, destination).
    static func checkItems(_ doc: [String: Any]) -> [(String, String)] {
        ["would_break", "now_allowed", "unresolved"].flatMap { key in
            (doc[key] as? [[String: Any]] ?? []).map { ($0["source"] as? String ?? "", $0["destination"] as? String ?? "") }
        }
    }

    static func allowed(_ doc: [String: Any]) -> Int {
        ((doc["totals"] as? [String: Any])?["allowed"] as? [String: Any])?["connections"] as? Int ?? -1
    }

    @Test("check -n: only connections into or out of those namespaces are evaluated and listed; -n repeats; -A is everything")
    func check() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        let base = ["check", "--db", f.db, "--policies", f.policies]
        let all = try Self.json(base)
        #expect(all.status == 1, "\(all.stderr)")
        let everything = Self.checkItems(all.doc)
        #expect(everything.contains { !$0.0.hasPrefix("ns2/") && !$0.1.hasPrefix("ns2/") }, "the fixture breaks outside ns2 too")

        let ns2 = try Self.json(base + ["-n", "ns2"])
        let items = Self.checkItems(ns2.doc)
        #expect(ns2.status == 1, "ns2 -> ns1 breaks: \(ns2.stderr)")
        #expect(!items.isEmpty && items.allSatisfy { $0.0.hasPrefix("ns2/") || $0.1.hasPrefix("ns2/") }, "\(items)")
        #expect(Self.allowed(ns2.doc) >= 0 && Self.allowed(ns2.doc) < Self.allowed(all.doc))
        // Exactly the full run's items with an end in ns2 (scoping selects, it does not re-evaluate differently).
        let want = everything.filter { $0.0.hasPrefix("ns2/") || $0.1.hasPrefix("ns2/") }
        #expect(items.map { "\($0.0) \($0.1)" }.sorted() == want.map { "\($0.0) \($0.1)" }.sorted())

        let two = try Self.json(base + ["-n", "ns2", "--namespace", "ns3"])
        let twoItems = Self.checkItems(two.doc)
        #expect(twoItems.contains { $0.0.hasPrefix("ns3/") || $0.1.hasPrefix("ns3/") } && twoItems.count > items.count)
        #expect(twoItems.allSatisfy { item in
            ["ns2/", "ns3/"].contains { item.0.hasPrefix($0) || item.1.hasPrefix($0) }
        })

        let a = try Self.json(base + ["-A"])
        #expect(a.status == all.status && Self.allowed(a.doc) == Self.allowed(all.doc)
                && Self.checkItems(a.doc).count == everything.count)
    }

    @Test("connectivity -n: only pairs with an end in those namespaces; -A is everything")
    func connectivity() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        let base = ["connectivity", "--db", f.db, "--policies", f.policies]
        func pairs(_ doc: [String: Any]) -> [(String, String)] {
            (doc["connections"] as? [[String: Any]] ?? []).map { ($0["source"] as? String ?? "", $0["destination"] as? String ?? "") }
        }
        let all = try Self.json(base)
        #expect(all.status == 0, "\(all.stderr)")
        let ns0 = try Self.json(base + ["-n", "ns0"])
        #expect(ns0.status == 0, "\(ns0.stderr)")
        let scoped = pairs(ns0.doc)
        #expect(!scoped.isEmpty && scoped.allSatisfy { $0.0.hasPrefix("ns0/") || $0.1.hasPrefix("ns0/") }, "\(scoped)")
        let want = pairs(all.doc).filter { $0.0.hasPrefix("ns0/") || $0.1.hasPrefix("ns0/") }
        #expect(scoped.map { "\($0.0) \($0.1)" } == want.map { "\($0.0) \($0.1)" }, "the same pairs, in the same order")
        #expect(scoped.count < pairs(all.doc).count)
        #expect(pairs(try Self.json(base + ["-A"]).doc).count == pairs(all.doc).count)
        let text = try Binary.output(base + ["-n", "ns0"])
        #expect(text.status == 0 && !text.stdout.isEmpty
                && text.stdout.split(separator: "\n").allSatisfy { $0.contains("ns0/") }, "\(text.stdout.prefix(600))")
    }

    @Test("an unknown namespace is exit 2 naming the closest known ones; -n with -A contradicts (check, connectivity)")
    func errors() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        for verb in ["check", "connectivity"] {
            let base = [verb, "--db", f.db, "--policies", f.policies]
            let typo = try Binary.output(base + ["-n", "ns9"])
            #expect(typo.status == 2, "\(verb): \(typo.stderr)")
            #expect(typo.stderr.contains("flowmap \(verb): error: --namespace ns9: no such namespace in")
                    && typo.stderr.contains("did you mean ns0") && typo.stderr.contains("known: ns0, ns1, ns2, ns3"),
                    "\(verb): \(typo.stderr)")
            #expect(typo.stdout.isEmpty, "\(verb): nothing is listed: \(typo.stdout.prefix(300))")
            let both = try Binary.output(base + ["-n", "ns0", "-A"])
            #expect(both.status == 2 && both.stderr.contains("contradict") && both.stderr.contains("Usage: flowmap \(verb)"),
                    "\(verb): \(both.stderr)")
        }
        // A known namespace none of whose connections was observed: nothing to check, said so (exit 2).
        let lonely = try CLIFixtures.folder(dir, "lonely", [
            "a.yaml": CLIFixtures.allowAll,
            "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: quiet}\n",
        ])
        let quiet = try Binary.output(["check", "--db", f.db, "--policies", lonely, "-n", "quiet"])
        #expect(quiet.status == 2 && quiet.stderr.contains("no observed connection into or out of namespace quiet"),
                "\(quiet.stderr)")
    }

    /// How each verb with `-n` is run on the fixture (collect: with the stand-ins, against their cluster).
    static func baseCommands(_ f: (flows: String, db: String, policies: String, other: String), _ dir: URL)
        -> [String: [String]] {
        ["generate": ["generate", "--db", f.db, "--out", dir.appendingPathComponent("out").path],
         "map": ["map", "--db", f.db, "-o", "json"],
         "check": ["check", "--db", f.db, "--policies", f.policies],
         "connectivity": ["connectivity", "--db", f.db, "--policies", f.policies],
         "collect": ["collect", "--duration", "1s", "--db", dir.appendingPathComponent("c.db").path]]
    }

    @Test("every verb with -n (from the command tree) has -A, refuses -n with -A, and answers an unknown -n with exit 2 naming the known namespaces; nothing is written")
    func everyVerb() throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLIFixtures.fixture(dir)
        let base = Self.baseCommands(f, dir)
        let withNamespace = CommandTree.shared.verbs.filter { $0.argument("--namespace") != nil }
        #expect(Set(withNamespace.map(\.name)) == Set(base.keys), "a verb with -n is not covered here (or lost -n)")
        let s = try StandIns()
        func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
            try s.sh(args.map { "'\($0)'" }.reduce("flowmap") { $0 + " " + $1 })
        }
        for verb in withNamespace {
            #expect(verb.argument("-n")?.names.contains("--namespace") == true, "\(verb.name): -n is --namespace")
            #expect(verb.argument("-A")?.names.contains("--all-namespaces") == true, "\(verb.name): no -A")
            let args = try #require(base[verb.name])
            // The stand-in cluster's namespaces are ingest, ops, perf; the store's ns0 .. ns3.
            let known = verb.name == "collect" ? "known: ingest, ops, perf" : "known: ns0, ns1, ns2, ns3"
            let close = verb.name == "collect" ? "opz" : "ns9"
            let typo = try run(args + ["-n", close])
            #expect(typo.status == 2, "\(verb.name): \(typo.status) \(typo.err)")
            #expect(typo.err.contains("flowmap \(verb.name): error: --namespace \(close): no such namespace in")
                    && typo.err.contains(known), "\(verb.name): \(typo.err)")
            #expect(typo.out.isEmpty, "\(verb.name): nothing is printed: \(typo.out.prefix(300))")
            let both = try run(args + ["-n", "ns0", "-A"])
            #expect(both.status == 2 && both.err.contains("contradict") && both.err.contains("Usage: flowmap \(verb.name)"),
                    "\(verb.name): \(both.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "generate wrote files")
        // collect asked the cluster for its inventory and stopped there: hubble never ran.
        #expect(s.calls.allSatisfy { $0.hasPrefix("kubectl ") } && !s.calls.isEmpty, "\(s.calls)")
    }
}
