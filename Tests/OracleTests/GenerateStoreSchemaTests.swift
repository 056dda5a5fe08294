import Emit
import Foundation
import FlowModel
import TestSupport
import Testing
@testable import FlowMapKit

/// FlowMapKit verbs' output against external schemas, over FlowMapKitTests' captures (linked in Support/):
/// `generate --cluster-baseline` against the network-policy-api CRDs (ClusterBaselineGenerateTests checks what it
/// says), `export` against schema/export.schema.json (EvidenceStoreTests checks its counts).
@Suite("generate --cluster-baseline and export against their schemas")
struct GenerateStoreSchemaTests {
    @Test("what --cluster-baseline writes validates against the network-policy-api CRDs (standard channel)")
    func clusterBaselineCRDs() throws {
        let (db, dir) = try CSVCapture.store(CSVCapture.deniedEgressOnly)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for kind in ClusterBaseline.Kind.allCases {
            let out = dir.appendingPathComponent("out-\(kind.rawValue)").path
            var o = Generate.Options(db: db, out: out)
            o.clusterBaseline = kind
            let r = try Generate.run(o)
            #expect(r.written)
            paths += r.files.filter { $0.hasSuffix(".yaml") }.map { out + "/" + $0 }
        }
        let (status, text) = try Oracle.networkPolicyAPIValidate(channel: "standard", paths)
        #expect(status == 0, "\(text)")
        #expect(text.contains("2 valid, 0 invalid"), "\(text)")
    }

    @Test("export follows schema/export.schema.json (JSON Lines; CSV has the same columns); a broken record fails")
    func exportSchema() throws {
        let dir = Temporary.directory("flowmap-test")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (a, b) = BucketCapture.twoCaptures(in: dir)
        let db = dir.appendingPathComponent("s.db").path
        _ = try BucketCapture.ingest([a, b, BucketCapture.httpSample], db: db)
        let jsonl = try Export.run(db: db, format: .jsonl)
        let lines = jsonl.split(separator: "\n")
        #expect(lines.count > 10)
        let good = dir.appendingPathComponent("export.jsonl"), broken = dir.appendingPathComponent("broken.jsonl")
        try jsonl.write(to: good, atomically: true, encoding: .utf8)
        try (String(lines[0]).replacingOccurrences(of: "\"flows\":", with: "\"flows\":-1,\"x\":") + "\n")
            .write(to: broken, atomically: true, encoding: .utf8)
        let schema = Repository.url("schema/export.schema.json").path
        let code = """
            import sys, json, jsonschema
            s = json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(s)
            v = jsonschema.Draft202012Validator(s, format_checker=jsonschema.FormatChecker())
            n = bad = 0
            for line in open(sys.argv[2]):
                n += 1
                for e in v.iter_errors(json.loads(line)): bad += 1; print(n, list(e.absolute_path), e.message)
            if list(s["properties"]) != sys.argv[3].split(","): print("columns differ"); bad += 1
            print(n, "checked,", bad, "errors"); sys.exit(1 if bad else 0)
            """
        let cols = Export.columns.joined(separator: ",")
        let (status, out) = try Oracle.python(["-c", code, schema, good.path, cols])
        #expect(status == 0, "\(out)")
        #expect(try Oracle.python(["-c", code, schema, broken.path, cols]).0 != 0)
        // Records are sorted and one per edge per bucket.
        let keys = try lines.map { l -> String in
            let o = try JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
            return "\(o["src_name"]!) \(o["dst_name"]!) \(o["port"]!) \(o["verdict"]!) \(o["bucket"]!)"
        }
        #expect(Set(keys).count == keys.count)
    }
}
