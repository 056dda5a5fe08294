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

/// Paths, the real samples, the Python oracles and golden files for the emitter tests.
enum EmitSupport {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repoRoot.appendingPathComponent("Tests/EmitTests/Fixtures")

    /// `FLOWMAP_RECORD=1 swift test --filter EmitTests` rewrites the golden files instead of comparing.
    static var recording: Bool { ProcessInfo.processInfo.environment["FLOWMAP_RECORD"] == "1" }

    static var hubbleSamples: [String] {
        let dir = repoRoot.appendingPathComponent("samples/hubble")
        let e = FileManager.default.enumerator(atPath: dir.path)!
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
            .map { dir.appendingPathComponent($0).path }
    }

    static func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-emit-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

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

    // MARK: Python oracles

    /// The Python venv made by `make venv` (FLOWMAP_VENV, else .venv in the repo).
    static var venv: URL {
        if let v = ProcessInfo.processInfo.environment["FLOWMAP_VENV"] { return URL(fileURLWithPath: v) }
        return repoRoot.appendingPathComponent(".venv")
    }

    /// The CiliumNetworkPolicy v2 JSON schema: FLOWMAP_CILIUM_SCHEMA, else the copy under Fixtures (from the
    /// project's shared/schemas/cilium, see its SOURCES.md).
    static var ciliumSchema: String {
        if let s = ProcessInfo.processInfo.environment["FLOWMAP_CILIUM_SCHEMA"] { return s }
        return repoRoot.appendingPathComponent("Tests/EmitTests/Fixtures/cilium-schema/ciliumnetworkpolicy.v2.schema.json").path
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
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

    /// `kubernetes-validate --strict` for one Kubernetes version over `files`.
    static func kubernetesValidate(_ files: [String], version: String) throws -> (Int32, String) {
        let exe = venv.appendingPathComponent("bin/kubernetes-validate").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            throw Missing(description: "kubernetes-validate not found at \(exe): run `make venv` (make test does it)")
        }
        return try run(exe, ["--strict", "--quiet", "-k", version] + files)
    }

    /// `scripts/validate-cilium.py` (jsonschema, strict) over `files`.
    static func ciliumValidate(_ files: [String]) throws -> (Int32, String) {
        let python = venv.appendingPathComponent("bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Missing(description: "\(python) not found: run `make venv` (make test does it)")
        }
        guard FileManager.default.fileExists(atPath: ciliumSchema) else {
            throw Missing(description: "Cilium schema not found at \(ciliumSchema) (set FLOWMAP_CILIUM_SCHEMA)")
        }
        let script = repoRoot.appendingPathComponent("scripts/validate-cilium.py").path
        return try run(python, [script, "--schema", ciliumSchema] + files)
    }

    /// PyYAML (a YAML 1.1 reader, like the ones kubectl and GitOps tools use) parses `yaml` into JSON.
    static func pyYAMLAsJSON(_ yaml: String) throws -> Any {
        let python = venv.appendingPathComponent("bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Missing(description: "\(python) not found: run `make venv` (make test does it)")
        }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("in.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let code = "import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))))"
        let (status, out) = try run(python, ["-c", code, file.path])
        guard status == 0 else { throw Missing(description: "PyYAML failed: \(out)") }
        return try JSONSerialization.jsonObject(with: Data(out.utf8))
    }
}
