import Foundation
import Policy

/// `flowmap generate --output json` (schema/generate.schema.json): what was written, and the self-check.
struct GenerateJSON: Encodable {
    struct SelfCheckJSON: Encodable {
        var passed: Bool
        var edges: Int
        /// One line per finding (source => destination : PROTO port, flows).
        var findings: [String]
    }
    /// False when the self-check failed without --allow-breaks: nothing was written.
    var written: Bool
    var out: String
    var edges_read: Int
    var policies: Int
    var workloads: Int
    var namespaces: Int
    var files: [String]
    var removed: [String]
    var warnings: [String]
    /// Observed-denied connections, which are never turned into allows.
    var denied_connections: Int
    var self_check: SelfCheckJSON
}

extension Generate.Report {
    public func document(out: String, as format: ResultFormat) -> String {
        ResultText.document(verb: "generate", GenerateJSON(
            written: written, out: out, edges_read: edgesRead, policies: policies, workloads: plan.workloadCount,
            namespaces: plan.namespaces.count, files: files.sorted(), removed: removed.sorted(),
            warnings: plan.warnings.map(\.description), denied_connections: plan.denied.count,
            self_check: .init(passed: !selfCheck.failed, edges: selfCheck.edges,
                              findings: selfCheck.findings.map { $0.trimmingCharacters(in: .whitespaces) })),
            as: format)
    }
}
