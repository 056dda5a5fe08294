import Foundation
import Testing

/// Policy folders and a store for CLI tests (HardeningTests; OracleTests links this file for OutputSchemaTests).
enum CLIFixtures {
    static func np(_ ns: String, _ name: String, _ spec: String, apiVersion: String = "networking.k8s.io/v1",
                   kind: String = "NetworkPolicy") -> String {
        "apiVersion: \(apiVersion)\nkind: \(kind)\nmetadata: {name: \(name), namespace: \(ns)}\nspec: \(spec)\n"
    }

    /// Writes `files` (name → text) into a fresh folder.
    static func folder(_ dir: URL, _ name: String, _ files: [String: String]) throws -> String {
        let f = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
        for (n, t) in files { try t.write(to: f.appendingPathComponent(n), atomically: true, encoding: .utf8) }
        return f.path
    }

    static let allowAll = np("ns0", "allow-all", "{podSelector: {}, ingress: [{}]}")

    /// A store, a policy folder (an allow-all in ns0, a deny-all in ns1) and an empty second folder for diff;
    /// `forget` and `prune` change a store: they get copies of it (f.db, p.db beside s.db).
    static func fixture(_ dir: URL) throws -> (flows: String, db: String, policies: String, other: String) {
        let input = dir.appendingPathComponent("f.json")
        try Synthetic.hubble(lines: 200, workloads: 8).write(to: input, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("s.db").path
        for store in [db, dir.appendingPathComponent("f.db").path, dir.appendingPathComponent("p.db").path] {
            #expect(try Binary.run(["ingest", "--db", store, input.path]).0 == 0)
        }
        let policies = try folder(dir, "p", [
            "a.yaml": allowAll,
            "b.yaml": np("ns1", "deny", "{podSelector: {}, policyTypes: [Ingress]}"),
        ])
        let other = try folder(dir, "q", ["a.yaml": allowAll])
        return (input.path, db, policies, other)
    }
}
