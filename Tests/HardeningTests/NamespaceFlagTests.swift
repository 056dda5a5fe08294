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
        let f = try OutputSchemaTests.fixture(dir)
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
        let f = try OutputSchemaTests.fixture(dir)
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
        let f = try OutputSchemaTests.fixture(dir)
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
        let lonely = try ExitCodeTests.folder(dir, "lonely", [
            "a.yaml": ExitCodeTests.allowAll,
            "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: quiet}\n",
        ])
        let quiet = try Binary.output(["check", "--db", f.db, "--policies", lonely, "-n", "quiet"])
        #expect(quiet.status == 2 && quiet.stderr.contains("no observed connection into or out of namespace quiet"),
                "\(quiet.stderr)")
    }
}
