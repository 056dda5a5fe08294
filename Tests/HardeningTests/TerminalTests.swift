import Foundation
import Testing

/// Issue 20: what reaches a terminal. Progress only on a terminal (or when forced for a test), and before it
/// the format note; `map` does not pour HTML into a terminal.
@Suite("Terminal output")
struct TerminalTests {
    static let gz = Binary.repoRoot.appendingPathComponent("Tests/FlowIngestTests/Fixtures/basic-sample-400-tcp-flows.json.gz").path

    @Test("progress (decompressed MB, how far into the .gz, flows/s, rejects) for files and streams, only when forced or on a terminal; the format note comes first")
    func progress() throws {
        let s = try StandIns()
        // stdout and stderr into one pipe, so their order is visible.
        let forced = try s.sh("flowmap ingest --db p.db '\(Self.gz)' 2>&1", env: ["FLOWMAP_PROGRESS": "1"])
        #expect(forced.status == 0, "\(forced.out)")
        let note = try #require(forced.out.range(of: "read as hubble (--format auto"), "\(forced.out)")
        let bar = try #require(forced.out.range(of: "\r"), "no progress line: \(forced.out)")
        #expect(note.lowerBound < bar.lowerBound, "the note must come before the work: \(forced.out)")
        #expect(forced.out.contains("MB (gzip, "), "\(forced.out)")
        #expect(forced.out.contains("flows/s") && forced.out.contains("rejected"))
        // A stream shows it too, with the time it has run.
        let stream = try s.sh("cat '\(Self.gz)' | flowmap ingest --db r.db -", env: ["FLOWMAP_PROGRESS": "1"])
        #expect(stream.status == 0)
        #expect(stream.err.contains("\r<stdin>: ") && stream.err.contains("flows/s"), "\(stream.err)")
        // A pipe is no terminal: nothing but the results.
        let plain = try s.sh("flowmap ingest --db q.db '\(Self.gz)'")
        #expect(plain.status == 0)
        #expect(!plain.err.contains("\r") && !plain.out.contains("\r"))
        #expect(!plain.err.contains("flows/s"))
    }

    @Test("map writes no HTML to a terminal without --out (exit 2 with the fix); into a pipe it still does")
    func mapToTerminal() throws {
        let s = try StandIns()
        let sample = StandIns.hubbleSamples.first { $0.hasSuffix("basic-sample-10-flows.json") }!
        #expect(try s.sh("flowmap ingest --db m.db '\(sample)'").status == 0)

        // util-linux `script` runs it on a pseudo-terminal (stdout and stderr both the terminal).
        let tty = try s.sh("script -qec 'flowmap map --db m.db' /dev/null")
        #expect(tty.status == 2, "\(tty.out)")
        #expect(tty.out.contains("not writing HTML to the terminal; pass --out map.html"), "\(tty.out)")
        #expect(tty.out.contains("--out -"))
        #expect(!tty.out.contains("<html"))

        let piped = try s.sh("flowmap map --db m.db")
        #expect(piped.status == 0)
        #expect(piped.out.hasPrefix("<!DOCTYPE html>") || piped.out.contains("<html"), "\(piped.out.prefix(100))")
    }
}
