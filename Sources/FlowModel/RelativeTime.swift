/// The one parser of time flags (`--since`, `--until`, `--before`) and durations (`--bucket`): RFC 3339 times,
/// or a duration back from now (`30m`, `24h`, `7d`). `now` is passed in, so tests fix the clock.
public enum RelativeTime {
    /// Nanoseconds per unit: s, m, h, d, w.
    static let units: [Character: Int64] = ["s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
                                            "d": 86_400_000_000_000, "w": 604_800_000_000_000]

    /// `90s`, `5m`, `1h`, `7d`, `2w` as nanoseconds; nil when malformed, zero, or too long to count.
    public static func duration(_ s: String) -> Int64? {
        guard let unit = s.last, let ns = units[unit], s.count >= 2,
              let n = Int64(s.dropLast()), n > 0, s.first != "+"
        else { return nil }
        let (v, overflow) = n.multipliedReportingOverflow(by: ns)
        return overflow ? nil : v
    }

    /// A duration in the largest unit that divides it: `1h`, `5m`, `1d`, `90s` (`1500000000ns` below a second).
    public static func format(duration ns: Int64) -> String {
        for (u, n) in units.sorted(by: { $0.value > $1.value }) where ns != 0 && ns % n == 0 { return "\(ns / n)\(u)" }
        return "\(ns)ns"
    }

    /// An RFC 3339 time, or `now` minus a duration. Nil when it is neither.
    public static func parse(_ s: String, now: Int64) -> Int64? {
        if let t = Timestamp.parseRFC3339(s) { return t }
        guard let d = duration(s) else { return nil }
        let (t, overflow) = now.subtractingReportingOverflow(d)
        return overflow ? nil : t
    }

    /// What `parse` accepts, for error messages.
    public static let expected = "an RFC 3339 time such as 2024-05-01T00:00:00Z, or a duration back from now "
        + "such as 30m, 24h or 7d"
}
