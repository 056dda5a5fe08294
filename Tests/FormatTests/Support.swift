import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy
import TestSupport

/// Paths, temp stores and small helpers for the format tests.
enum Support {
    static let repoRoot = Repository.root
    static let fixtures = Repository.fixtures("FormatTests")

    static func sample(_ rel: String) -> String { repoRoot.appendingPathComponent("samples/" + rel).path }
    static func fixture(_ rel: String) -> String { fixtures.appendingPathComponent(rel).path }

    static func tempDir() -> URL { Temporary.directory("flowmap-formats") }

    /// Writes `text` to a new temp file named `name` and returns its path.
    static func file(_ name: String, _ text: String, in dir: URL? = nil) -> String {
        let d = dir ?? tempDir()
        let u = d.appendingPathComponent(name)
        try! text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    /// Ingests into `db`; returns the report and every issue.
    @discardableResult
    static func ingest(_ paths: [String], db: String, format: InputFormat = .auto) throws -> (Ingest.Report, [InputIssue]) {
        var o = Ingest.Options(db: db)
        o.format = format
        var issues: [InputIssue] = []
        let r = try Ingest.run(paths: paths, options: o) { issues.append($0) }
        return (r, issues)
    }

    static func newDB() -> String { Temporary.store("flowmap-formats") }

    /// Edges as `src -> dst proto/port outcome flows` lines, sorted: easy to compare in expectations.
    static func edgeLines(_ db: String) throws -> [String] {
        try FlowStore(path: db).edges().map {
            "\($0.key.source) -> \($0.key.destination) \($0.key.proto.rawValue)/\($0.key.port) "
                + "\($0.key.outcome.rawValue) \($0.stats.flows)"
        }.sorted()
    }

    /// Generated files (name -> text) of a store.
    static func generate(_ db: String) throws -> [String: String] {
        let out = tempDir().appendingPathComponent("out").path
        let r = try Generate.run(Generate.Options(db: db, out: out, allowBreaks: true))
        var files: [String: String] = [:]
        for f in r.files { files[f] = try String(contentsOfFile: out + "/" + f, encoding: .utf8) }
        return files
    }
}
