import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// Paths and temp dirs for end-to-end tests.
enum TestSupport {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var hubbleSamples: [String] {
        let dir = repoRoot.appendingPathComponent("samples/hubble")
        let e = FileManager.default.enumerator(atPath: dir.path)!
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
            .map { dir.appendingPathComponent($0).path }
    }

    static func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    static func write(_ text: String, to url: URL) {
        try! text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Ingests paths into a fresh store in `dir`; returns the report and the issues reported.
    static func ingest(_ paths: [String], db: String) throws -> (Ingest.Report, [InputIssue]) {
        var issues: [InputIssue] = []
        let r = try Ingest.run(paths: paths, options: Ingest.Options(db: db)) { issues.append($0) }
        return (r, issues)
    }

    /// The Python venv made by `make venv` (FLOWMAP_VENV, else .venv in the repo).
    static var venv: URL {
        if let v = ProcessInfo.processInfo.environment["FLOWMAP_VENV"] { return URL(fileURLWithPath: v) }
        return repoRoot.appendingPathComponent(".venv")
    }

    /// Runs a program; returns exit status and combined output.
    static func run(_ exe: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
