import Foundation
import Testing

/// Issue 12: `--since` / `--until` parse times like the readers do (one RFC 3339 parser).
@Suite("Time flags")
struct TimeFlagTests {
    @Test("--since/--until with 10+ fraction digits work; a time past 2262 is an error naming the flag, not a crash")
    func longFractions() throws {
        let dir = Binary.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let input = dir.appendingPathComponent("f.json")
        try Data((BadInputTests.goodLine + "\n").utf8).write(to: input)
        let (si, oi) = try Binary.run(["ingest", "--db", db, input.path])
        #expect(si == 0, "\(oi)")
        let since = "2024-05-01T00:00:00.1234567891234Z", until = "2024-05-02T00:00:00." + String(repeating: "9", count: 30) + "Z"
        let (s0, o0) = try Binary.run(["generate", "--db", db, "--out", "-", "--since", since, "--until", until])
        // Parsed: either policies, or (issue 14) the error that the window holds none of the store's edges.
        #expect(s0 == 0 || (s0 == 2 && o0.contains("no edges in the evidence window 2024-05-01T00:00:00")), "\(o0)")
        let (s1, o1) = try Binary.run(["generate", "--db", db, "--out", "-", "--since", "2263-01-01T00:00:00Z"])
        #expect(s1 != 0 && o1.contains("--since"), "\(o1)")
    }
}
