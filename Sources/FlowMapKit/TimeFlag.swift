import FlowModel

/// Reads a time flag (`--since`, `--until`, `--before`) with `RelativeTime` against the wall clock (tests pass
/// `now`). The error names the flag and the forms it takes.
public enum TimeFlag {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String, flag: String, now: Int64? = nil) throws -> Int64 {
        guard let t = RelativeTime.parse(text, now: now ?? Clock.nowNanos()) else {
            throw Failure(description: "\(flag) \(text): expected \(RelativeTime.expected)")
        }
        return t
    }

    /// `--since`/`--until` as a window; an `--until` before `--since` is an error.
    public static func window(since: String?, until: String?, now: Int64? = nil) throws -> TimeWindow {
        let at = now ?? Clock.nowNanos()
        let w = TimeWindow(since: try since.map { try parse($0, flag: "--since", now: at) },
                           until: try until.map { try parse($0, flag: "--until", now: at) })
        guard w.isValid else {
            throw Failure(description: "--until \(until!) is before --since \(since!): the window selects nothing")
        }
        return w
    }
}
