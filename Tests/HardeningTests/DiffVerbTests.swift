import Foundation
import Testing

/// `flowmap diff` as a pull-request check runs it: exit codes, verdict first, JSON schema, --limit (issue 13).
@Suite struct DiffVerbTests {
    static let policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress]
          ingress: [{from: [{podSelector: {}}], ports: [{protocol: TCP, port: 80}]}]

        """

    static let workloads = ["web": "app: web", "a": "role: a", "b": "role: b", "c": "role: c"].sorted { $0.key < $1.key }
        .map { "apiVersion: v1\nkind: Pod\nmetadata: {name: \($0.key), namespace: shop, labels: {\($0.value)}}\nspec: {containers: [{name: c, image: i}]}\n" }
        .joined(separator: "---\n")

    /// old/ and new/ folders: `web` open on TCP 80 in OLD, 443 in NEW; workloads in both unless `withWorkloads` is false.
    static func folders(withWorkloads: Bool = true, same: Bool = false) -> (String, String) {
        let dir = Binary.tempDir()
        for (side, port) in [("old", "80"), ("new", same ? "80" : "443")] {
            let d = dir.appendingPathComponent(side)
            try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try! policy.replacingOccurrences(of: "port: 80", with: "port: \(port)")
                .write(to: d.appendingPathComponent("policies.yaml"), atomically: true, encoding: .utf8)
            if withWorkloads {
                try! workloads.write(to: d.appendingPathComponent("pods.yaml"), atomically: true, encoding: .utf8)
            }
        }
        return (dir.appendingPathComponent("old").path, dir.appendingPathComponent("new").path)
    }

    @Test func policiesOnlyWithoutStoreExitsTwoSayingWhereToGetWorkloads() throws {
        let (old, new) = Self.folders(withWorkloads: false)
        let (rc, out) = try Binary.run(["diff", old, new])
        #expect(rc == 2, "\(out)")
        #expect(out.contains("no workloads") && out.contains("kubectl get pods") && out.contains("--db"))
        #expect(!out.contains("No connectivity differences"))
    }

    @Test func differencesExitOneWithTheVerdictFirst() throws {
        let (old, new) = Self.folders()
        let (rc, out) = try Binary.run(["diff", old, new])
        #expect(rc == 1, "\(out)")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("differs: 3 connection difference(s) (3 changed, 0 added, 0 removed)") == true, "\(out)")
        #expect(lines.contains("diff-type: changed, source: shop/a[Pod], destination: shop/web[Pod], ref1: TCP 80, ref2: TCP 443"))
        let (rcSame, outSame) = try Binary.run(["diff", Self.folders(same: true).0, Self.folders(same: true).1])
        #expect(rcSame == 0 && outSame.hasPrefix("no differences: "), "\(outSame)")
    }

    @Test func limitCutsEachSectionAndSaysHowManyMore() throws {
        let (old, new) = Self.folders()
        let (rc, out) = try Binary.run(["diff", old, new, "--limit", "1"])
        #expect(rc == 1)
        #expect(out.split(separator: "\n").filter { $0.hasPrefix("diff-type: ") }.count == 1)
        #expect(out.contains("... and 2 more changed (--limit 0 shows all)\n"), "\(out)")
    }

    @Test func jsonHasTheVerdictTotalsAndStructuredPorts() throws {
        let (old, new) = Self.folders()
        let (rc, out) = try Binary.run(["diff", old, new, "--output", "json"])
        #expect(rc == 1)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(obj["verdict"] as? String == "differs")
        #expect(obj["schema_version"] as? Int == 1 && obj["verb"] as? String == "diff")
        #expect((obj["summary"] as? String)?.hasPrefix("differs: 3 connection difference(s)") == true)
        let totals = try #require(obj["totals"] as? [String: Any])
        #expect(totals["changed"] as? Int == 3 && totals["workloads_added"] as? Int == 0)
        #expect(totals["breaking"] == nil)  // no --db: no evidence fields
        let changes = try #require(obj["changes"] as? [[String: Any]])
        let first = try #require(changes.first)
        #expect(first["diff_type"] as? String == "changed")
        #expect(first["source_type"] as? String == "workload")
        let ref1 = try #require(first["ref1"] as? [[String: Any]])
        #expect(ref1.count == 1 && ref1[0]["protocol"] as? String == "TCP" && ref1[0]["port"] as? Int == 80
                && ref1[0]["end_port"] as? Int == 80)
        #expect(first["ref2_text"] as? String == "TCP 443")
    }

    @Test func skippedInvalidPoliciesAreNamedInTheVerdict() throws {
        let (old, new) = Self.folders()
        try Self.policy.replacingOccurrences(of: "name: web", with: "name: bad")
            .replacingOccurrences(of: "protocol: TCP", with: "protocol: tcp")
            .write(to: URL(fileURLWithPath: new).appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let (rc, out) = try Binary.run(["diff", old, new])
        #expect(rc == 2, "\(out)")
        let (rcSkip, outSkip) = try Binary.run(["diff", old, new, "--skip-invalid"])
        #expect(rcSkip == 1, "\(outSkip)")
        let verdict = outSkip.split(separator: "\n").first { $0.hasPrefix("differs: ") }
        #expect(verdict?.hasSuffix("(evaluated without 1 invalid object(s): --skip-invalid)") == true, "\(outSkip)")
    }
}
