import Foundation
import TestSupport
import Testing
@testable import Policy

/// Issue 12: a 786-byte alias bomb exhausted memory and a 623-byte one crashed. Each bound of
/// `YAMLDocumentLoader.Limits` is a located error (`file: document N: …`); the documents before it are kept.
@Suite("YAML resource bounds")
struct YAMLLimitsTests {
    static let policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: ok, namespace: a}
        spec: {podSelector: {}}
        """

    /// "Billion laughs": each level is nine aliases of the one before; 9 levels expand to 9^9 scalars.
    static func billionLaughs() -> String {
        var lines = ["a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        for i in 1...9 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("a billion-laughs alias bomb is refused, located, with the documents before it kept")
    func billionLaughsRefused() {
        let bomb = Self.billionLaughs()
        #expect(bomb.utf8.count < 800)
        let set = ManifestReader.parse(text: Self.policy + "\n---\n" + bomb, file: "bomb.yaml")
        #expect(set.policies.map(\.name) == ["ok"])
        #expect(set.issues.count == 1)
        let d = set.issues.first?.description ?? ""
        #expect(d.hasPrefix("bomb.yaml:") && d.contains(": document 1: ") && d.contains("more than 10000 aliases"), "\(d)")
    }

    /// Yams hashes every mapping key to find duplicates: an aliased bomb as a key cost exponential time there
    /// (32 s for 9^7 nodes in a debug build) before any conversion, so the bounds are checked on libyaml's events.
    @Test("an alias bomb used as a mapping key is refused before Yams composes it")
    func aliasKeyBomb() {
        var lines = ["a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        for i in 1...7 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ",") + "]") }
        let text = lines.prefix(2).joined(separator: "\n") + "\n? *a1\n: x\n"
        let (docs, errors) = YAMLDocumentLoader.documents(text)
        #expect(errors.isEmpty)
        #expect(docs.count == 1)
        let big = lines.joined(separator: "\n") + "\n? *a7\n: x\n"
        let e2 = YAMLDocumentLoader.documents(big).errors.last?.error
        #expect(e2?.description.contains("aliases") == true, "\(String(describing: e2))")
    }

    @Test("deep nesting (flow and block) is refused at the depth bound, not by a crash")
    func deepNesting() {
        for text in [String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
                     String(repeating: "- ", count: 300) + "x",
                     String(repeating: "{a: ", count: 300) + "1" + String(repeating: "}", count: 300)] {
            #expect(text.utf8.count < 1600)
            let set = ManifestReader.parse(text: Self.policy + "\n---\n" + text, file: "deep.yaml")
            #expect(set.policies.map(\.name) == ["ok"])
            #expect(set.issues.first?.description.contains("document 1: nested more than 256 levels deep") == true,
                    "\(set.issues)")
        }
        // Within the bound: read.
        let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(YAMLDocumentLoader.documents(ok).errors.isEmpty)
    }

    @Test("anchors, aliases, alias-expanded nodes, documents and bytes: each bound is a located error")
    func eachBound() {
        var limits = YAMLDocumentLoader.Limits()
        limits.anchors = 3
        let anchors = "a: &x 1\nb: &y 2\nc: &z 3\nd: &w 4\n"
        #expect(YAMLDocumentLoader.documents(anchors, limits: limits).errors.last?.error.description
                == "document 0: more than 3 anchors (&name)")
        #expect(YAMLDocumentLoader.documents(String(anchors.dropLast(8))).errors.isEmpty)

        limits = YAMLDocumentLoader.Limits()
        limits.aliases = 2
        let aliases = "a: &x 1\nb: [*x, *x, *x]\n"
        #expect(YAMLDocumentLoader.documents(aliases, limits: limits).errors.last?.error.description.hasPrefix(
            "document 0: more than 2 aliases") == true)

        // Nodes added by aliases count over the whole file: ten documents of 300 each pass 1,000 at document 3.
        limits = YAMLDocumentLoader.Limits()
        limits.aliasNodes = 1_000
        let doc = "a: &x [" + Array(repeating: "1", count: 299).joined(separator: ",") + "]\nb: *x\n"
        let ten = Array(repeating: doc, count: 10).joined(separator: "---\n")
        let r = YAMLDocumentLoader.documents(ten, limits: limits)
        #expect(r.documents.count == 3)
        #expect(r.errors.last?.error.document == 3 && r.errors.last?.error.message.hasPrefix("aliases expand to more than 1000 nodes") == true,
                "\(String(describing: r.errors))")

        limits = YAMLDocumentLoader.Limits()
        limits.documents = 5
        let many = Array(repeating: "a: 1\n", count: 8).joined(separator: "---\n")
        let m = YAMLDocumentLoader.documents(many, limits: limits)
        #expect(m.documents.count == 5)
        #expect(m.errors.last?.error.description == "document 5: more than 5 documents in one file; split it into several files")

        limits = YAMLDocumentLoader.Limits()
        limits.bytes = 100
        let big = YAMLDocumentLoader.documents(String(repeating: "a: 1\n", count: 30), limits: limits)
        #expect(big.documents.isEmpty && big.errors.last?.error.message.hasPrefix("the file is 150 bytes; at most 100") == true)
    }

    @Test("the bounds hold the same when a large file is parsed in parallel chunks")
    func parallelChunksSameError() {
        var limits = YAMLDocumentLoader.Limits()
        limits.aliasNodes = 5_000
        var docs: [String] = []
        for i in 0..<3000 { docs.append("i: \(i)\na: &x [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, \(String(repeating: "x", count: 60))]\nb: *x\n") }
        let text = docs.joined(separator: "---\n")
        #expect(YAMLDocumentLoader.split(text).count > 1)
        let r = YAMLDocumentLoader.documents(text, limits: limits)
        // 12 nodes (the list and its 11 items) added per document: the bound passes at document 416 (5,004).
        #expect(r.errors.last?.error.document == 416, "\(String(describing: r.errors))")
        #expect(r.documents.count == 416)
    }

    @Test("anchors and aliases within the bounds read as the values they stand for")
    func ordinaryAnchors() {
        let text = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web, namespace: a, labels: &l {app: web}}
            spec:
              podSelector: {matchLabels: *l}
            """
        let set = ManifestReader.parse(text: text, file: "a.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        #expect(set.policies.count == 1)
    }

    @Test("a manifest file over the size bound is refused before it is read into memory")
    func oversizedFile() throws {
        let dir = Temporary.directory("yaml-limits")
        let path = dir.appendingPathComponent("big.yaml").path
        // Sparse: the size is what counts.
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: UInt64(YAMLDocumentLoader.Limits().bytes + 1))
        try h.close()
        let set = try ManifestReader.parse(file: path)
        #expect(set.issues.map(\.message) == ["the file is \(YAMLDocumentLoader.Limits().bytes + 1) bytes; at most "
                                              + "\(YAMLDocumentLoader.Limits().bytes) are read (split it into several files)"])
    }
}
