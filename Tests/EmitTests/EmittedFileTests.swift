@testable import Emit
import Inference
import Testing

/// `EmittedFile`: a file produced while it is written, in pieces, with the bytes of the whole text.
@Suite("Emitted files")
struct EmittedFileTests {
    @Test("a file larger than a piece reaches the sink in several pieces that add up to its text")
    func pieces() throws {
        let doc = String(repeating: "x", count: ByteText.piece / 3) + "\n"
        let docs: [@Sendable (inout YAMLBuilder) -> Void] = (0..<7).map { i in { $0.line(0, "n: \(i)"); $0.raw(doc) } }
        let f = EmittedFile(name: "big.yaml", header: "# h\n", docs)
        var pieces: [[UInt8]] = []
        try f.write { pieces.append(Array($0)) }
        #expect(pieces.count > 1)
        #expect(pieces.allSatisfy { $0.count <= ByteText.piece + doc.utf8.count + 16 })
        #expect(String(decoding: pieces.joined(), as: UTF8.self) == f.text)
        #expect(f.text.hasPrefix("# h\nn: 0\n") && f.text.components(separatedBy: "---\n").count == 7)
    }

    @Test("the report streamed from the plan is the report's json and markdown")
    func report() throws {
        let plan = SyntheticPlan.plan
        let r = EvidenceReport(plan: plan, version: "t")
        let files = EvidenceReport.files(plan: plan, version: "t")
        #expect(files.map(\.name) == [EvidenceReport.jsonFile, EvidenceReport.markdownFile])
        #expect(files.map(\.text) == [r.json, r.markdown])
    }

    @Test("a sink's error stops the file and is what write throws")
    func sinkError() {
        struct Full: Error {}
        let f = EmittedFile(name: "a", text: "abc")
        #expect(throws: Full.self) { try f.write { _ in throw Full() } }
    }
}
