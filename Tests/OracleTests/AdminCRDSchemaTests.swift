import Foundation
@testable import Policy
import TestSupport
import Testing

/// FlowMap's reader against the network-policy-api CRDs kept in schema/crds/network-policy-api (experimental
/// channel, a superset of standard): python jsonschema over each CRD's openAPIV3Schema via
/// scripts/validate-network-policy-api.py. What the schema refuses FlowMap refuses; what FlowMap accepts the schema
/// accepts; what only FlowMap refuses is a CEL rule (which jsonschema cannot run) or a documented stricter rule.
@Suite struct AdminCRDSchemaTests {
    static let repoRoot = Repository.root
    static let cases = Repository.fixtures("PolicyTests", "admin-validation").path

    /// Per document the schema judged, keyed `file[i]`: true when valid.
    static func schemaVerdicts(_ files: [String]) throws -> [String: Bool] {
        let (status, out) = try Oracle.networkPolicyAPIValidate(channel: "experimental", files)
        try #require(status == 0 || status == 1, "validator failed: \(out)")
        var verdicts: [String: Bool] = [:]
        for line in out.split(separator: "\n") {
            // `FILE[i] Kind name: valid` / `FILE[i] Kind name: invalid: ...` / `FILE: invalid: not YAML: ...`
            guard let colon = line.range(of: ": ") else { continue }
            let head = line[..<colon.lowerBound]
            let valid = line[colon.upperBound...].hasPrefix("valid")
            if head.hasSuffix("]") || head.contains("] ") {
                verdicts[String(head.split(separator: " ")[0])] = valid
            } else if files.contains(String(head)) {
                verdicts[String(head)] = valid
            }
        }
        return verdicts
    }

    /// FlowMap's verdict per admin-tier document, keyed `file[i]` (`file` alone when the file is not YAML):
    /// nil when accepted, else its first issue.
    static func flowmapVerdicts(_ file: String) throws -> [String: String?] {
        let set = try ManifestReader.parse(file: file)
        var out: [String: String?] = [:]
        for p in set.adminPolicies { out["\(file)[\(p.location!.document)]"] = .some(nil) }
        for i in set.issues where AdminPolicy.Kind.allCases.contains(where: { i.object.hasPrefix($0.rawValue) }) || i.document < 0 {
            let key = i.document < 0 ? file : "\(file)[\(i.document)]"
            if out[key] == nil || out[key]! == nil { out[key] = .some(i.description) }
        }
        if set.adminPolicies.isEmpty && out.isEmpty, let first = set.issues.first { out[file] = .some(first.description) }
        return out
    }

    @Test func handWrittenCasesAgreeWithTheCRDs() throws {
        let files = ["valid", "invalid-schema", "invalid-cel", "refused-beyond-crd"].map { "\(Self.cases)/\($0).yaml" }
        let schema = try Self.schemaVerdicts(files)
        var flowmap: [String: String?] = [:]
        for f in files { flowmap.merge(try Self.flowmapVerdicts(f)) { a, _ in a } }
        func docs(_ name: String) -> [String] { schema.keys.filter { $0.hasPrefix("\(Self.cases)/\(name).yaml[") }.sorted() }
        #expect(docs("valid").count == 3 && docs("invalid-schema").count == 10 && docs("invalid-cel").count == 6)
        for d in docs("valid") {
            #expect(schema[d] == true, "\(d)")
            #expect(flowmap[d] == .some(nil), "\(d): \(String(describing: flowmap[d]))")
        }
        for d in docs("invalid-schema") {
            #expect(schema[d] == false, "\(d)")
            #expect(flowmap[d].flatMap { $0 } != nil, "\(d): FlowMap accepted what the CRD schema refuses")
        }
        // CEL rules: the schema accepts, FlowMap refuses with the rule's message.
        let cel = ["Only one baseline admin network policy with metadata.name=\"default\"",
                   "networks/nodes/domainNames peer cannot be set with namedPorts",
                   "networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes",
                   "networks/nodes/domainNames peer cannot be set with namedPorts", "Invalid CIDR format provided",
                   "Start port must be less than End port"]
        for (d, message) in zip(docs("invalid-cel").sorted { Self.index($0) < Self.index($1) }, cel) {
            #expect(schema[d] == true, "\(d)")
            let issue = flowmap[d].flatMap { $0 } ?? "accepted"
            #expect(issue.contains(message), "\(d): \(issue)")
        }
        let stricter = ["Start port must be less than End port", "domainNames peer can only be used with the Allow action"]
        for (d, message) in zip(docs("refused-beyond-crd"), stricter) {
            #expect(schema[d] == true, "\(d)")
            let issue = flowmap[d].flatMap { $0 } ?? "accepted"
            #expect(issue.contains(message), "\(d): \(issue)")
        }
    }

    static func index(_ key: String) -> Int {
        Int(key.split(separator: "[").last!.dropLast()) ?? -1
    }

    /// Every admin-tier document of the netpol-analyzer and network-policy-api fixtures: accepted by FlowMap
    /// exactly when the schema accepts it, except the CEL refusals listed.
    @Test func fixturesAgreeWithTheCRDs() throws {
        let root = Self.repoRoot.appendingPathComponent("Tests")
        var files: [String] = []
        for dir in ["NetpolAnalyzerTests/Fixtures/tests", "PolicyTests/Fixtures/network-policy-api"] {
            let base = root.appendingPathComponent(dir)
            for case let rel as String in FileManager.default.enumerator(atPath: base.path)! where
                rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") || rel.hasSuffix(".json") {
                let path = base.appendingPathComponent(rel).path
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                if AdminPolicy.Kind.allCases.contains(where: { text.contains("kind: \($0.rawValue)") }) { files.append(path) }
            }
        }
        files.sort()
        try #require(files.count > 50, "\(files.count) fixture files")
        let schema = try Self.schemaVerdicts(files)
        var flowmap: [String: String?] = [:]
        for f in files { flowmap.merge(try Self.flowmapVerdicts(f)) { a, _ in a } }
        // Refused by FlowMap, accepted by the schema: the CRD's CEL rule on named ports with networks peers.
        let celOnly = ["anp_test_named_ports_multiple_peers/policies.yaml["]
        var agreed = 0
        for (doc, valid) in schema.sorted(by: { $0.key < $1.key }) {
            let issue = flowmap[doc].flatMap { $0 }
            if valid && issue != nil {
                #expect(celOnly.contains { doc.contains($0) }, "\(doc): FlowMap refuses what the schema accepts: \(issue!)")
                #expect(issue!.contains("cannot be set with namedPorts"), "\(doc): \(issue!)")
            } else {
                #expect(valid == (issue == nil), "\(doc): schema \(valid ? "valid" : "invalid"), FlowMap \(issue ?? "accepted")")
                agreed += 1
            }
        }
        #expect(schema.count > 80 && agreed == schema.count - celOnly.count, "\(schema.count) documents, \(agreed) agreed")
    }
}
