@testable import Emit
import Foundation
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy
@testable import Inference
@testable import Policy
import TestSupport

/// Paths, the real samples, the Python oracles and golden files for the emitter tests.
enum EmitSupport {
    static let repoRoot = Repository.root
    static let fixtures = Repository.fixtures("EmitTests")

    /// `FLOWMAP_RECORD=1 swift test --filter EmitTests` rewrites the golden files instead of comparing.
    static var recording: Bool { ProcessInfo.processInfo.environment["FLOWMAP_RECORD"] == "1" }

    static var hubbleSamples: [String] { Repository.hubbleSamples.map(\.path) }

    static func tempDir() -> URL { Temporary.directory("flowmap-emit") }

    /// Ingests `paths` into a fresh store and infers the plan with default options.
    static func plan(from paths: [String], options: InferenceOptions = InferenceOptions()) throws -> PolicyPlan {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("s.db").path
        _ = try Ingest.run(paths: paths, options: Ingest.Options(db: db)) { _ in }
        return try Generate.plan(db: db, options: options)
    }

    /// The plan of every real sample, computed once.
    static let samplesPlan: Result<PolicyPlan, Error> = Result { try plan(from: hubbleSamples) }

    /// The same with `--include-system` (kube-system and istio-system get policies too: node-local DNS, the
    /// resolvers admitting the DNS baseline's namespaces, reserved entities).
    static let samplesPlanWithSystem: Result<PolicyPlan, Error> = Result {
        var o = InferenceOptions()
        o.includeSystem = true
        return try plan(from: hubbleSamples, options: o)
    }

    /// A directory `generate` wrote from the real samples, per layout (EvidenceLocationTests, OracleTests).
    static func generated(_ layout: EmitOptions.Layout) throws -> (out: URL, report: Generate.Report) {
        let dir = EmitSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        _ = try Ingest.run(paths: EmitSupport.hubbleSamples, options: Ingest.Options(db: db)) { _ in }
        let out = dir.appendingPathComponent("out")
        var o = Generate.Options(db: db, out: out.path, allowBreaks: true)
        o.emit.layout = layout
        return (out, try Generate.run(o))
    }

    static func options(_ flavor: EmitOptions.Flavor, _ layout: EmitOptions.Layout = .perNamespace) -> EmitOptions {
        var o = EmitOptions()
        o.flavor = flavor
        o.layout = layout
        o.version = "0.0.0-test"  // golden files must not change with every release
        return o
    }

    /// Writes files under `dir` (creating subdirectories); returns their paths.
    @discardableResult
    static func write(_ files: [(name: String, text: String)], under dir: URL) throws -> [String] {
        try files.map { f in
            let url = dir.appendingPathComponent(f.name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try f.text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
    }

    /// Relative path -> contents of every file under `dir`.
    static func read(_ dir: URL) -> [String: String] {
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return [:] }
        var out = [String: String]()
        for case let rel as String in e {
            var isDir: ObjCBool = false
            let path = dir.appendingPathComponent(rel).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try? String(contentsOfFile: path, encoding: .utf8)
            }
        }
        return out
    }

    /// Compares `files` with the golden directory `Fixtures/golden/<name>`, or re-records it. Returns the
    /// problems (empty when equal).
    static func golden(_ name: String, _ files: [(name: String, text: String)]) throws -> [String] {
        let dir = fixtures.appendingPathComponent("golden/\(name)")
        if recording {
            try? FileManager.default.removeItem(at: dir)
            try write(files, under: dir)
            return []
        }
        let want = read(dir)
        if want.isEmpty { return ["\(dir.path): no golden files; record them with FLOWMAP_RECORD=1"] }
        var problems = [String]()
        let got = Dictionary(files.map { ($0.name, $0.text) }, uniquingKeysWith: { a, _ in a })
        for name in Set(want.keys).union(got.keys).sorted() {
            switch (want[name], got[name]) {
            case (nil, _): problems.append("\(name): new file, not in the golden set")
            case (_, nil): problems.append("\(name): golden file no longer produced")
            case (let w?, let g?) where w != g: problems.append("\(name): differs from golden\n" + firstDifference(w, g))
            default: break
            }
        }
        return problems
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<end>", y = i < lb.count ? String(lb[i]) : "<end>"
            if x != y { return "  line \(i + 1)\n  golden: \(x)\n  now:    \(y)" }
        }
        return ""
    }
}
