import Foundation
import Testing

/// Issue 20: the README is what a newcomer follows; these tests hold it to the product.
@Suite("README and docs")
struct ReadmeTests {
    static let readme = Binary.repoRoot.appendingPathComponent("README.md")

    /// The `sh` code blocks of a README section, as command lines (comments and blank lines dropped).
    static func commands(inSection heading: String) throws -> [[String]] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("## ") && $0.contains(heading) }) else { return [] }
        var blocks: [[String]] = []
        var current: [String]?
        for line in lines[(start + 1)...] {
            if current == nil && line.hasPrefix("## ") { break }
            if line.hasPrefix("```") {
                if let c = current { blocks.append(c); current = nil } else if line == "```sh" { current = [] }
                continue
            }
            let l = line.trimmingCharacters(in: .whitespaces)
            if current != nil && !l.isEmpty && !l.hasPrefix("#") { current!.append(l) }
        }
        return blocks
    }

    @Test("the quick start, walked with stand-in kubectl and hubble: collect, review, generate, check, apply, rollback")
    func quickStart() throws {
        let blocks = try Self.commands(inSection: "Quick start")
        #expect(blocks.count == 2, "the quick start has the collect block and the by-hand block")
        let collect = try #require(blocks.first)
        #expect(collect.first?.hasPrefix("flowmap collect --duration") == true, "\(collect)")
        #expect(collect.contains { $0.hasPrefix("flowmap generate") } && collect.contains { $0.hasPrefix("flowmap check") })
        #expect(collect.contains { $0.contains("-l app.kubernetes.io/managed-by=flowmap") }, "the rollback step")
        for block in blocks {
            let s = try StandIns()
            for command in block {
                let r = try s.sh(command)
                #expect(r.status == 0, "`\(command)` exited \(r.status): \(r.err.suffix(2000))")
            }
            if block == collect {
                let files = try FileManager.default.contentsOfDirectory(atPath: s.dir.appendingPathComponent("policies").path)
                #expect(files.contains("kustomization.yaml"), "\(files)")
                #expect(s.calls.first?.hasPrefix("kubectl get namespaces,pods,services,endpointslices,nodes -A -o json") == true,
                        "the inventory comes first: \(s.calls)")
                #expect(s.calls.contains { $0.hasPrefix("hubble observe -o jsonpb --follow") })
                #expect(s.calls.contains("kubectl apply -k policies/"))
                #expect(s.calls.contains("kubectl delete networkpolicies -A -l app.kubernetes.io/managed-by=flowmap"))
            } else {
                #expect(s.calls.count == 2, "\(s.calls)")
            }
        }
    }

    @Test("the first ingest example ingests the samples `make demo` ingests")
    func firstIngestExample() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let first = try #require(text.split(separator: "\n").first { $0.hasPrefix("flowmap ingest") })
        let makefile = try String(contentsOf: Binary.repoRoot.appendingPathComponent("Makefile"), encoding: .utf8)
        let samples = try #require(makefile.split(separator: "\n").first { $0.hasPrefix("SAMPLES ") })
        for glob in ["samples/hubble/*/*.json", "samples/hubble/*/*.jsonl"] {
            #expect(samples.contains(glob))
            #expect(first.split(separator: " ").contains(Substring(glob)), "\(first)")
        }
    }

    @Test("README under 250 lines; README and docs link nothing outside the repository and no relative link is dead")
    func links() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count < 250)
        let docs = Binary.repoRoot.appendingPathComponent("docs")
        let pages = [Self.readme] + (try FileManager.default.contentsOfDirectory(atPath: docs.path))
            .filter { $0.hasSuffix(".md") }.sorted().map { docs.appendingPathComponent($0) }
        #expect(pages.count > 5)
        let link = try Regex(#"\]\(([^)\s]+)\)"#)
        for page in pages {
            let body = try String(contentsOf: page, encoding: .utf8)
            #expect(!body.contains("../shared"), "\(page.lastPathComponent) points outside the repository")
            for m in body.matches(of: link) {
                let target = String(body[m.range]).dropFirst(2).dropLast()
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("#")
                    || target.hasPrefix("mailto:") { continue }
                let file = String(target.split(separator: "#", maxSplits: 1)[0])
                let resolved = page.deletingLastPathComponent().appendingPathComponent(file).standardizedFileURL
                #expect(resolved.path.hasPrefix(Binary.repoRoot.standardizedFileURL.path),
                        "\(page.lastPathComponent): \(target) is outside the repository")
                #expect(FileManager.default.fileExists(atPath: resolved.path),
                        "\(page.lastPathComponent): \(target) does not exist")
            }
        }
    }

    /// Every line of the `sh` (or `bash`, `console`) code blocks of README.md and docs/*.md, continuation
    /// lines joined, with its file and line number.
    static func shellLines() throws -> [(file: String, line: Int, text: String)] {
        let docs = Binary.repoRoot.appendingPathComponent("docs")
        let pages = [readme] + (try FileManager.default.contentsOfDirectory(atPath: docs.path))
            .filter { $0.hasSuffix(".md") }.sorted().map { docs.appendingPathComponent($0) }
        var out: [(String, Int, String)] = []
        for page in pages {
            let lines = try String(contentsOf: page, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            var inShell = false, inBlock = false
            var pending: (Int, String)?
            for (i, raw) in lines.enumerated() {
                let line = String(raw)
                if line.hasPrefix("```") {
                    inShell = !inBlock && ["```sh", "```bash", "```shell", "```console"].contains(line)
                    inBlock.toggle()
                    continue
                }
                guard inShell else { continue }
                var text = line.hasPrefix("$ ") ? String(line.dropFirst(2)) : line
                let continued = text.hasSuffix("\\")
                if continued { text.removeLast() }
                let joined = (pending?.1 ?? "") + text
                let start = pending?.0 ?? i + 1
                if continued { pending = (start, joined) } else { out.append((page.lastPathComponent, start, joined)); pending = nil }
            }
        }
        return out
    }

    @Test("every `flowmap …` line in the sh blocks of README.md and docs/ parses with the real command tree")
    func examplesParse() throws {
        let tree = CommandTree.shared
        #expect(tree.verbs.count > 10)
        var checked = 0
        for (file, line, text) in try Self.shellLines() {
            for call in CommandTree.flowmapCalls(text) {
                checked += 1
                if let problem = tree.problem(call) {
                    Issue.record("\(file):\(line): `flowmap \(call.joined(separator: " "))`: \(problem)")
                }
            }
        }
        #expect(checked > 30, "the examples were found (\(checked))")
    }

    @Test("the example checker itself refuses what the CLI refuses")
    func exampleCheckerRefuses() throws {
        let tree = CommandTree.shared
        for bad in ["flowmap chek --db x", "flowmap map --format dot", "flowmap generate --flavour k8s",
                    "flowmap check --policies p -o xml", "flowmap collect --db x", "flowmap summary --top",
                    "flowmap explain --policies p a b c d"] {
            let call = try #require(CommandTree.flowmapCalls(bad).first)
            #expect(tree.problem(call) != nil, "\(bad) passed")
        }
        #expect(CommandTree.flowmapCalls("hubble observe -o jsonpb | FOO=1 flowmap watch --policies p - 2>&1 # x")
                == [["watch", "--policies", "p", "-"]])
        #expect(CommandTree.flowmapCalls("cd flowmap && flowmap --version") == [["--version"]])
        #expect(tree.problem(["check", "--policies=p", "-n", "a", "-o", "json"]) == nil)
    }

    @Test("make install builds release and installs the binary and bash, zsh and fish completions under PREFIX")
    func makeInstall() throws {
        let s = try StandIns()
        let r = try s.sh("make -n -C '\(Binary.repoRoot.path)' install PREFIX=/opt/fm DESTDIR=/stage")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("build -c release --product flowmap"))
        for installed in ["/stage/opt/fm/bin/flowmap", "/stage/opt/fm/share/bash-completion/completions/flowmap",
                          "/stage/opt/fm/share/zsh/site-functions/_flowmap",
                          "/stage/opt/fm/share/fish/vendor_completions.d/flowmap.fish"] {
            #expect(r.out.contains(installed), "\(installed)")
        }
    }
}
