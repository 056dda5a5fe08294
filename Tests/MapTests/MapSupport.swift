import Foundation
import TestSupport
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// Demo data, temp dirs and the external oracles (graphviz `dot`, headless Chromium).
enum MapSupport {
    static let repoRoot = Repository.root

    /// The demo data: every Hubble sample under samples/hubble (what `make demo` ingests).
    static var demoSamples: [String] { Repository.hubbleSamples.map(\.path) }

    static func tempDir() -> URL { Temporary.directory("flowmap-map") }

    /// A fresh store holding the demo data.
    static func demoStore() throws -> String {
        let db = tempDir().appendingPathComponent("demo.db").path
        let r = try Ingest.run(paths: demoSamples, options: Ingest.Options(db: db)) { _ in }
        #expect(r.failures.isEmpty)
        return db
    }

    /// The absolute path of a program on PATH (or the usual system directories), nil when missing.
    static func which(_ name: String) -> String? { ProcessRunner.which(name) }

    /// A required oracle: the test fails (never skips) with how to install it.
    static func tool(_ name: String, package: String) throws -> String {
        try #require(which(name), "`\(name)` is not installed: run `make viewdeps` (apt-get install \(package))")
    }

    /// Runs a program; stdout and exit status (stderr is discarded: Chromium is chatty there).
    static func run(_ exe: String, _ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String) {
        let r = try ProcessRunner.run(exe, args, stdin: stdin, stderr: .discarded)
        return (r.status, r.output)
    }

    /// `dot -Tsvg`: exit status and the SVG.
    static func dotSVG(_ dot: String) throws -> (status: Int32, svg: String) {
        let exe = try tool("dot", package: "graphviz")
        let r = try run(exe, ["-Tsvg"], stdin: dot)
        return (r.status, r.out)
    }

    /// Loads an HTML file in headless Chromium and returns the DOM after its scripts ran.
    static func dumpDOM(html: String, fragment: String = "") throws -> String {
        let exe = try tool("chromium", package: "chromium")
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("map.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let r = try run(exe, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                              "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                              "--window-size=1400,900", "--dump-dom", file.absoluteString + fragment])
        #expect(r.status == 0, "chromium exited with \(r.status)")
        return r.out
    }

    /// Values of one attribute on every element that has it, as Chromium serialises them.
    static func attributeValues(_ name: String, in dom: String) -> [String] {
        var out: [String] = []
        let marker = " \(name)=\""
        var rest = Substring(dom)
        while let r = rest.range(of: marker) {
            let after = rest[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            out.append(unescapeAttribute(String(after[..<end])))
            rest = after[end...]
        }
        return out
    }

    static func unescapeAttribute(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&nbsp;", with: "\u{a0}")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension MapSupport {
    /// Attributes of each element whose start tag begins with `prefix` (e.g. `<g class="node"`).
    static func startTags(_ prefix: String, in dom: String) -> [[String: String]] {
        var out: [[String: String]] = []
        var rest = Substring(dom)
        while let r = rest.range(of: prefix) {
            let after = rest[r.lowerBound...]
            guard let end = after.firstIndex(of: ">") else { break }
            let tag = String(after[..<end])
            var attrs: [String: String] = [:]
            var t = Substring(tag)
            while let eq = t.range(of: "=\"") {
                let nameStart = t[..<eq.lowerBound].lastIndex(of: " ").map { t.index(after: $0) } ?? t.startIndex
                let name = String(t[nameStart..<eq.lowerBound])
                let v = t[eq.upperBound...]
                guard let q = v.firstIndex(of: "\"") else { break }
                attrs[name] = unescapeAttribute(String(v[..<q]))
                t = v[v.index(after: q)...]
            }
            out.append(attrs)
            rest = after[end...]
        }
        return out
    }
}
