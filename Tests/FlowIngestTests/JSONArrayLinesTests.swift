import Foundation
import Testing
@testable import FlowIngest
import FlowModel

/// Issue 20: a JSON array is read element by element, never as one line: memory is bounded by one element.
@Suite("JSON arrays as JSON lines")
struct JSONArrayLinesTests {
    static func rewrite(_ text: String, chunk: Int = 7) -> String {
        var a = JSONArrayLines()
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {  // small chunks: state carries across reads
            let end = min(i + chunk, bytes.count)
            bytes[i..<end].withUnsafeBufferPointer { a.feed($0, into: &out) }
            i = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("elements become lines; each starts on its input line; strings keep brackets, commas and escapes")
    func rewriting() {
        #expect(Self.rewrite(#"[{"a":1},{"b":[2,3]}]"#) == "{\"a\":1}\n{\"b\":[2,3]}\n")
        let pretty = "[\n  {\n    \"a\": \"x],{\\\"\"\n  },\n  {\n    \"b\": 2\n  }\n]\n"
        let lines = Self.rewrite(pretty).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "{     \"a\": \"x],{\\\"\"   }")
        #expect(lines[4].hasPrefix("{"))
        #expect(lines.count == pretty.split(separator: "\n", omittingEmptySubsequences: false).count)
    }

    @Test("random arrays (nested values, strings with brackets, commas, escapes and quotes; any whitespace), fed in random chunks: the lines are the elements")
    func randomArrays() throws {
        var rng = UInt64(ProcessInfo.processInfo.environment["FLOWMAP_PROPERTY_SEED"].flatMap { UInt64($0) } ?? 20)
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        let space = [" ", "\n", "  ", "\t", "\r\n", ""]
        func ws() -> String { space[next(space.count)] }
        let pieces = ["[", "]", "{", "}", ",", ":", "\\\"", "\\\\", "\\n", "x", "é", " "]
        func string() -> String { "\"" + (0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined() + "\"" }
        func value(_ depth: Int) -> String {
            switch depth > 3 ? next(3) : next(6) {
            case 0: return string()
            case 1: return String(next(1000))
            case 2: return ["true", "null", "-1.5e3"][next(3)]
            case 3: return "[" + ws() + (0..<next(4)).map { _ in value(depth + 1) }.joined(separator: ws() + "," + ws()) + ws() + "]"
            default:
                return "{" + ws() + (0..<next(4)).map { _ in string() + ws() + ":" + ws() + value(depth + 1) }
                    .joined(separator: "," + ws()) + ws() + "}"
            }
        }
        for round in 0..<200 {
            let elements = (0..<next(6)).map { _ in next(4) == 0 ? value(0) : "{" + string() + ":" + value(1) + "}" }
            let array = ws() + "[" + ws() + elements.joined(separator: ws() + "," + ws()) + ws() + "]" + ws()
            let out = Self.rewrite(array, chunk: 1 + next(9))
            // As the driver splits: at 0x0A bytes (a "\r\n" is one Character in Swift, so not by Characters).
            let lines = Array(out.utf8).split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
                .filter { !$0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } }
            let whole = try JSONSerialization.jsonObject(with: Data(array.utf8), options: [.fragmentsAllowed]) as! [Any]
            #expect(lines.count == whole.count, "round \(round): \(array.debugDescription) -> \(out.debugDescription)")
            for (line, element) in zip(lines, whole) {
                let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
                #expect(NSArray(array: [parsed]).isEqual(NSArray(array: [element])), "round \(round): \(line)")
            }
            // Never fewer lines than the input: an element is never reported before the line it starts on.
            #expect(out.utf8.filter { $0 == 0x0A }.count >= array.utf8.filter { $0 == 0x0A }.count, "round \(round)")
        }
    }

    @Test("a one-line array far longer than the line bound is read whole, from a file and from a stream")
    func longerThanLineBound() throws {
        let line = Fixtures.lines(Fixtures.url("../../../samples/hubble/hubble-otel/basic-sample-400-tcp-flows.json"))[0]
        let array = "[" + Array(repeating: line, count: 400).joined(separator: ",") + "]"
        #expect(array.utf8.count > 4 * (64 << 10))
        let dir = Fixtures.tempDir()
        let path = dir.appendingPathComponent("array.json").path
        try array.write(toFile: path, atomically: true, encoding: .utf8)
        // A 64 KiB line bound: the array as one line would be rejected; its elements are each far below it.
        let driver = IngestDriver(maxLineBytes: 64 << 10, chunkBytes: 64 << 10, threads: 2, progress: .off)
        let (chunks, issues) = try drive(path, driver: driver)
        #expect(issues.isEmpty, "\(issues.prefix(3))")
        #expect(chunks.reduce(0) { $0 + $1.counts.accepted } == 400)

        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let wfd = fds[1]
        let writer = Thread {
            array.utf8CString.withUnsafeBytes { p in
                var off = 0
                let n = p.count - 1
                while off < n { off += write(wfd, p.baseAddress! + off, n - off) }
            }
            close(wfd)
        }
        writer.start()
        var d = driver
        d.stdinDescriptor = fds[0]
        var reader = HubbleReader()
        var total = IngestCounts()
        var streamIssues: [InputIssue] = []
        try d.run(path: "-", reader: &reader, onIssue: { streamIssues.append($0) }) { total.add($0.counts) }
        close(fds[0])
        #expect(streamIssues.isEmpty)
        #expect(total.accepted == 400)
    }
}
