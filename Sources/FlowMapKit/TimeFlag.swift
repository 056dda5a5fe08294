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
        let b = try bounds(since: since, until: until, now: now)
        return TimeWindow(since: b.since, until: b.until)
    }

    /// `--since`/`--until` as instants, both relative to the same now (`--since 2h --until 1h` is one hour);
    /// an `--until` before `--since` is an error. Also the `--hubble` request's window.
    public static func bounds(since: String?, until: String?, now: Int64? = nil) throws -> (since: Int64?, until: Int64?) {
        let at = now ?? Clock.nowNanos()
        let s = try since.map { try parse($0, flag: "--since", now: at) }
        let u = try until.map { try parse($0, flag: "--until", now: at) }
        guard TimeWindow(since: s, until: u).isValid else {
            throw Failure(description: "--until \(until!) is before --since \(since!): the window selects nothing")
        }
        return (s, u)
    }
}
