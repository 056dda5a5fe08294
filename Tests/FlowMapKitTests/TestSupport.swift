import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy
import TestSupport

/// Paths and temp dirs for end-to-end tests.
enum TestSupport {
    static let repoRoot = Repository.root

    static var hubbleSamples: [String] { Repository.hubbleSamples.map(\.path) }

    static func tempDir() -> URL { Temporary.directory("flowmap-test") }

    static func write(_ text: String, to url: URL) {
        try! text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Ingests paths into a fresh store in `dir`; returns the report and the issues reported.
    static func ingest(_ paths: [String], db: String) throws -> (Ingest.Report, [InputIssue]) {
        var issues: [InputIssue] = []
        let r = try Ingest.run(paths: paths, options: Ingest.Options(db: db)) { issues.append($0) }
        return (r, issues)
    }

    /// Runs a program; returns exit status and combined output.
    static func run(_ exe: String, _ args: [String]) throws -> (Int32, String) { try ProcessRunner.run(exe, args) }
}
