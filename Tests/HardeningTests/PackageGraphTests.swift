import Foundation
import Testing

/// Issue 21: the package graph is the design. Package.swift's target dependencies, the modules each stage's sources
/// import, and the stage table of docs/architecture.md are held to one allowed graph, written once, here.
@Suite("Package graph")
struct PackageGraphTests {
    /// Every first-party target and the first-party targets it may depend on. Dependencies only point down:
    /// FlowModel is the domain core; the readers, the store, inference, the policy model and the map see only it;
    /// Emit is the one stage that sees both a plan (Inference) and the policy model (Policy); FlowMapKit is the
    /// façade over every stage, and the CLI sees FlowMapKit only.
    static let allowed: [String: Set<String>] = [
        "CSQLite": [], "CZlib": [], "CSHA256": [],
        "FlowModel": [],
        "FlowIngest": ["FlowModel", "CZlib", "CSHA256"],
        "FlowStore": ["FlowModel", "CSQLite"],
        "Inference": ["FlowModel"],
        "Policy": ["FlowModel"],
        "Emit": ["FlowModel", "Inference", "Policy"],
        "FlowMapView": ["FlowModel"],
        "HubbleCodec": [],
        "HubbleAPI": ["HubbleCodec"],
        "HubbleLive": ["HubbleAPI"],
        "FlowMapKit": ["FlowModel", "FlowIngest", "FlowStore", "Inference", "Policy", "Emit", "FlowMapView", "HubbleLive"],
        "flowmap": ["FlowMapKit"],
        // Benchmarks: they drive stages directly, like tests.
        "PolicyBench": ["Policy", "FlowModel", "TestSupport"],
        // Tests' shared helpers (Foundation only).
        "TestSupport": [],
        "ingest-bench": ["FlowIngest", "FlowModel"],
        "generate-bench": ["FlowMapKit", "FlowStore", "Inference", "Policy", "Emit", "FlowModel"],
        "generate-profile": ["Inference", "Policy", "Emit", "FlowModel"],
    ]

    /// Dependencies declared for the build alone, never imported: SwiftPM recompiles a target only when a module it
    /// declares changed, and the CLI sees the stages' types through FlowMapKit's typealiases, so it declares
    /// FlowMapKit's dependencies too (else an incremental build links a CLI compiled against a struct's old layout).
    /// Left out of the graph the documents draw.
    static let buildOnly: [String: Set<String>] = ["flowmap": allowed["FlowMapKit"]!]

    /// The stages in the order the design table lists them (bottom of the graph first).
    static let stages = ["FlowModel", "FlowIngest", "FlowStore", "Inference", "Policy", "Emit", "FlowMapView",
                         "HubbleCodec", "HubbleAPI", "HubbleLive", "FlowMapKit", "flowmap"]

    static let root = Binary.repoRoot

    /// Non-test targets of Package.swift and their first-party dependencies (products of other packages left out),
    /// without `buildOnly`'s unless `all`.
    static func declared(all: Bool = false) throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let noProducts = text.replacingOccurrences(of: #"\.product\([^)]*\)"#, with: "", options: .regularExpression)
        let start = try Regex(#"\.(target|executableTarget|systemLibrary|testTarget)\(\s*name:\s*"([^"]+)""#)
        let matches = noProducts.matches(of: start)
        var out: [String: Set<String>] = [:]
        for (i, m) in matches.enumerated() {
            let kind = String(m.output[1].substring!), name = String(m.output[2].substring!)
            guard kind != "testTarget" else { continue }
            let end = i + 1 < matches.count ? matches[i + 1].range.lowerBound : noProducts.endIndex
            let body = noProducts[m.range.upperBound..<end]
            var deps = Set<String>()
            if let d = body.firstRange(of: "dependencies:"), let open = body[d.upperBound...].firstIndex(of: "["),
               let close = body[open...].firstIndex(of: "]") {
                for q in body[open..<close].matches(of: #/"([^"]+)"/#) { deps.insert(String(q.output.1)) }
            }
            out[name] = all ? deps : deps.subtracting(buildOnly[name] ?? [])
        }
        return out
    }

    @Test("the CLI declares FlowMapKit's dependencies for the build (an incremental build recompiles it when their types change) and imports FlowMapKit only")
    func buildOnlyDependencies() throws {
        let declared = try Self.declared(all: true)
        #expect(declared["flowmap"] == Self.allowed["flowmap"]!.union(Self.buildOnly["flowmap"]!),
                "\(declared["flowmap"]?.sorted() ?? [])")
        let dir = Self.root.appendingPathComponent("Sources/flowmap")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }
        for file in files.sorted() {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard let m = line.wholeMatch(of: #/(?:@testable |public |@_exported )?import (\w+)/#) else { continue }
                let module = String(m.output.1)
                #expect(!Self.buildOnly["flowmap"]!.contains(module), "Sources/flowmap/\(file): imports \(module); the CLI imports FlowMapKit only")
            }
        }
    }

    @Test("no target depends upward: Package.swift's dependencies are within the allowed graph, every target in it")
    func packageDependencies() throws {
        let declared = try Self.declared()
        #expect(declared.count >= Self.allowed.count, "\(declared.keys.sorted())")
        for (target, deps) in declared.sorted(by: { $0.key < $1.key }) {
            guard let allowed = Self.allowed[target] else {
                Issue.record("\(target): a target the allowed graph in PackageGraphTests does not know; add it there")
                continue
            }
            let upward = deps.subtracting(allowed)
            #expect(upward.isEmpty, "\(target) depends on \(upward.sorted()), outside its allowed \(allowed.sorted())")
        }
        #expect(declared["Policy"]?.contains("Inference") == false)
        #expect(declared["FlowMapView"] == ["FlowModel"])
    }

    @Test("a stage's sources import only the first-party modules its target declares")
    func sourceImports() throws {
        let declared = try Self.declared()
        let firstParty = Set(Self.allowed.keys)
        for target in Self.stages {
            let dir = Self.root.appendingPathComponent("Sources/\(target)")
            guard let files = FileManager.default.enumerator(atPath: dir.path) else {
                Issue.record("Sources/\(target): missing")
                continue
            }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    guard let m = line.wholeMatch(of: #/(?:@testable |public |@_exported )?import (\w+)/#) else { continue }
                    let module = String(m.output.1)
                    guard firstParty.contains(module) else { continue }
                    #expect(declared[target]?.contains(module) == true,
                            "Sources/\(target)/\(file): imports \(module), which \(target) does not depend on")
                }
            }
        }
    }

    /// `drawn` (stage -> the stages a document says it depends on) names every stage, each with exactly the
    /// first-party stages Package.swift declares (the C shims aside).
    static func expectDeclared(_ drawn: [String: Set<String>], by document: String, _ declared: [String: Set<String>]) {
        #expect(Set(drawn.keys) == Set(stages), "stages in \(document): \(drawn.keys.sorted())")
        for stage in stages {
            let real = (declared[stage] ?? []).subtracting(["CSQLite", "CZlib", "CSHA256"])
            #expect(drawn[stage] == real, "\(stage): \(document) says \(drawn[stage]?.sorted() ?? []), Package.swift \(real.sorted())")
        }
    }

    @Test("Package.swift's header comment draws the graph Package.swift declares")
    func packageComment() throws {
        let declared = try Self.declared()
        let text = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        // The lines after `// Stage graph (...):` indented by three: `//   A, B -> C, D -> E` says A and B depend on
        // C and D, C and D on E; a line without an arrow names a stage with no dependency; a line indented further
        // continues the previous line's last list. The first line indented by one after them ends the drawing.
        var lines: [[Set<String>]] = []
        var inGraph = false
        for raw in text.split(separator: "\n") {
            if raw.hasPrefix("// Stage graph") { inGraph = true; continue }
            guard inGraph, raw.hasPrefix("//") else { continue }
            let body = raw.dropFirst(2)
            let indent = body.prefix { $0 == " " }.count
            if indent < 3 {
                if lines.isEmpty { continue } else { break }  // the rest of the opening sentence; the end
            }
            let segments = body.components(separatedBy: "->").map { seg in
                Set(Self.stages.filter { seg.contains(try! Regex("\\b\($0)\\b")) })
            }
            if indent == 3 || lines.isEmpty {
                lines.append(segments)
            } else {
                lines[lines.count - 1][lines[lines.count - 1].count - 1].formUnion(segments[0])
            }
        }
        var drawn: [String: Set<String>] = [:]
        for segs in lines {
            for (i, names) in segs.enumerated() {
                for n in names { drawn[n, default: []].formUnion(i + 1 < segs.count ? segs[i + 1] : []) }
            }
        }
        Self.expectDeclared(drawn, by: "Package.swift's comment", declared)
    }

    @Test("docs/design.md's stage table lists exactly the stages (the graph itself is architecture.md's)")
    func designDocStages() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/design.md"), encoding: .utf8)
        var listed: [String] = []
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            if let m = line.firstMatch(of: #/^\| `([A-Za-z-]+)` \|/#) { listed.append(String(m.output.1)) }
        }
        #expect(listed == Self.stages, "docs/design.md lists \(listed)")
    }

    @Test("nothing in Sources re-exports a module (@_exported): a stage's users import what they use")
    func noReexports() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let e = try #require(FileManager.default.enumerator(atPath: sources.path))
        var found: [String] = []
        for case let rel as String in e where rel.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(rel), encoding: .utf8)
            if text.contains("@_exported") { found.append("Sources/" + rel) }
        }
        #expect(found.isEmpty, "\(found)")
    }

    @Test("docs/architecture.md's stage table states exactly the graph Package.swift declares")
    func designTable() throws {
        let declared = try Self.declared()
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var table: [String: Set<String>] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count > 3 else { continue }
            let names = { (cell: String) in
                Set(cell.matches(of: #/`([A-Za-z-]+)`/#).map { String($0.output.1) })
            }
            guard let stage = names(cells[1]).first, Self.stages.contains(stage) else { continue }
            table[stage] = names(cells[2])
        }
        Self.expectDeclared(table, by: "docs/architecture.md's table", declared)
    }

    @Test("tests that need the Python venv live in OracleTests and run it through TestSupport's Oracle, no copy of the lookup")
    func oracleTestsApart() throws {
        let tests = Self.root.appendingPathComponent("Tests")
        let e = try #require(FileManager.default.enumerator(atPath: tests.path))
        var callers: Set<String> = []
        for case let rel as String in e where rel.hasSuffix(".swift") {
            let path = "Tests/" + rel
            // OracleTests is where they belong; TestSupport holds the runner.
            if rel.hasPrefix("OracleTests/") || rel.hasPrefix("TestSupport/") { continue }
            if rel == "HardeningTests/PackageGraphTests.swift" { continue }  // this test names the strings it looks for
            let url = tests.appendingPathComponent(rel)
            // Links are OracleTests/Support's view of other targets' helpers; the real file is checked.
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(!text.contains("FLOWMAP_VENV") && !text.contains("Repository.venv") && !text.contains(".venv/")
                    && !text.contains("bin/python"), "\(path) looks the venv up itself: use Oracle (TestSupport)")
            if text.contains(try Regex(#"(^|[^A-Za-z])Oracle\."#)) { callers.insert(path) }
        }
        #expect(callers.isEmpty, "tests calling a Python oracle outside Tests/OracleTests: \(callers.sorted()); move them there")
    }
}
