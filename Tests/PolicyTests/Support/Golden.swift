import Foundation
import TestSupport
import Testing

/// Golden files under Tests/PolicyTests/Fixtures, located from the repository root (TestSupport).
/// Re-record after an intended output change: `FLOWMAP_RECORD=1 swift test --filter PolicyTests`, then review
/// the fixture diff with `git diff Tests/PolicyTests/Fixtures` before committing.
enum Golden {
    static var fixtures: URL {
        Repository.fixtures("PolicyTests")
    }

    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = fixtures.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["FLOWMAP_RECORD"] == "1" {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden \(name); record it with FLOWMAP_RECORD=1", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "output differs from golden \(name) (re-record with FLOWMAP_RECORD=1)",
                sourceLocation: sourceLocation)
    }
}
