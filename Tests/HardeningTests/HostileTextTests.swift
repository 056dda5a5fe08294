import Foundation
import TestSupport
import Testing

/// Issue 21: everything taken from a capture or a manifest reaches the terminal through one printer (`Console`,
/// Sources/flowmap, over `TerminalText`): a name with a bidi override (U+202E) and an ANSI escape (ESC [31m) comes
/// out of every verb's text output, and of the errors quoting it, as `?` — never raw.
@Suite("Hostile text through every verb's text output")
struct HostileTextTests {
    static let hostile = "\u{202E}\u{1B}[31m"
    /// What `TerminalText.safe` makes of `hostile`.
    static let shown = "??[31m"

    static func raw(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value == 0x1B || $0.properties.generalCategory == .format }
    }

    @Test("check, diff, connectivity, explain, watch, summary, map and their errors print the name made safe",
          arguments: ["check", "diff", "connectivity", "explain", "watch", "summary", "map", "missing-path"])
    func verb(_ verb: String) throws {
        let dir = Binary.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try ExitCodeTests.store(dir)
        let flows = dir.appendingPathComponent("f.json").path
        // A policy folder: an allow-all, and a file whose name and policy name carry the hostile text (YAML escapes
        // in the file, raw in the file name); the policy name is invalid, so every verb quotes it.
        let policies = try CLIFixtures.folder(dir, "p", [
            "a.yaml": CLIFixtures.allowAll,
            "bad\(Self.hostile).yaml": CLIFixtures.np("ns0", #""evil\u202E\e[31mname""#, "{podSelector: {}, ingress: [{}]}"),
        ])
        let other = try CLIFixtures.folder(dir, "q", ["a.yaml": CLIFixtures.allowAll])
        let args: [String] = switch verb {
        case "check": ["check", "--db", db, "--policies", policies]
        case "diff": ["diff", "--db", db, policies, other]
        case "connectivity": ["connectivity", "--db", db, "--policies", policies]
        case "explain": ["explain", "--db", db, "--policies", policies, "ns0/svc0", "ns1/svc1", "TCP/8001"]
        case "watch": ["watch", "--policies", policies, flows]
        case "summary": ["summary", "--db", db, "--policies", policies]
        case "map": ["map", "--db", db, "--policies", policies, "-o", "dot"]
        default: ["check", "--db", db, "--policies", dir.appendingPathComponent("no\(Self.hostile)such").path]
        }
        let r = try Binary.output(args)
        #expect(!Self.raw(r.stdout) && !Self.raw(r.stderr), "\(verb): raw control or format characters reached the terminal")
        // The hostile text was quoted (made safe), so this test sees the path it guards.
        #expect((r.stdout + r.stderr).contains(Self.shown), "\(verb) did not quote the name: \(r.stdout)\n\(r.stderr)")
    }
}
