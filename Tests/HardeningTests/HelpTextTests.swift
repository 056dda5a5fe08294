import Foundation
import Testing
import TestSupport

/// Issue 20: `--help` of every verb reads well on an 80-column terminal.
@Suite("Help text")
struct HelpTextTests {
    /// Problems of a help text rendered for `width` columns: a line longer than that, and a ragged break (a line
    /// ended although the next line's first word would have fit on it: a hard line break inside a paragraph,
    /// which the wrapper then wraps again). An indented line, a blank line or a list item starts a new block.
    static func problems(_ text: String, width: Int) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            if line.count > width { out.append("longer than \(width): \(line)") }
            guard i + 1 < lines.count else { continue }
            let next = lines[i + 1]
            let indent = { (s: String) in s.prefix { $0 == " " }.count }
            let body = next.drop { $0 == " " }
            // Indented by 1 to 4: preformatted (an example command line, a table), not a paragraph.
            guard !line.allSatisfy(\.isWhitespace), !body.isEmpty, indent(next) == indent(line),
                  !(1...4).contains(indent(line)),
                  !body.hasPrefix("-"), !body.hasPrefix("*"), !line.hasSuffix(":"),
                  // Option rows: `  --name <v>   Help`; their continuation lines are indented further.
                  !line.drop(while: { $0 == " " }).hasPrefix("-") else { continue }
            let word = body.prefix { $0 != " " }
            // ArgumentParser fills lines to width - 1 columns.
            if line.count + 1 + word.count < width {
                out.append("ragged break after \"\(line.suffix(40))\" (\"\(word)\" fits)")
            }
        }
        return out
    }

    @Test("the checker finds a long line and a ragged break, and passes a wrapped paragraph")
    func checker() {
        #expect(Self.problems(String(repeating: "x ", count: 41), width: 80).count == 1)
        #expect(Self.problems("the batch in progress is committed\nand the summary printed", width: 80).count == 1)
        let wrapped = "Each file is stored in one transaction; ingesting the same file again changes\nnothing."
        #expect(Self.problems(wrapped, width: 80).isEmpty)
        #expect(Self.problems("Examples:\n  flowmap a\n  flowmap b", width: 80).isEmpty)
    }

    @Test("every verb's --help at 80 columns: no line longer, no ragged break")
    func everyVerb() throws {
        let verbs = CommandTree.shared.verbs.map(\.name)
        #expect(verbs.count >= 17)
        for verb in [nil] + verbs {
            let args = (verb.map { [$0] } ?? []) + ["--help"]
            let r = try ProcessRunner.run("/usr/bin/env", ["COLUMNS=80", Binary.flowmap] + args, stderr: .merged)
            #expect(r.status == 0 && r.output.contains("USAGE: flowmap"), "\(args): \(r.output.prefix(200))")
            for p in Self.problems(r.output, width: 80) { Issue.record("flowmap \(args.joined(separator: " ")): \(p)") }
        }
    }
}
