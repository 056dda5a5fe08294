/// Time buckets of the store. A bucket is identified by its start, `floor(time / width) * width` (nanoseconds
/// since the epoch); every backend uses this convention, and a store records its width once, when it is created.
public enum TimeBucket {
    /// The default width: one hour.
    public static let defaultWidth: Int64 = 3_600_000_000_000

    /// Start of the bucket holding `time` (floor, also for times before the epoch).
    @inline(__always) public static func start(_ time: Int64, width: Int64) -> Int64 {
        let q = time / width
        return (time % width < 0 ? q - 1 : q) &* width
    }
}

/// The evidence window of a reading verb: whole buckets. A bucket is selected when it overlaps [since, until]
/// (both inclusive): the bucket holding `since` and the bucket holding `until` are taken whole.
public struct TimeWindow: Sendable, Hashable {
    public var since: Int64?
    public var until: Int64?
    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    public static let all = TimeWindow()
    public var isAll: Bool { since == nil && until == nil }

    /// Smallest and largest bucket start selected, for a store of `width`.
    public func bucketRange(width: Int64) -> ClosedRange<Int64> {
        let lo = since.map { TimeBucket.start($0, width: width) } ?? .min
        let hi = until.map { TimeBucket.start($0, width: width) } ?? .max
        return lo...max(lo, hi)
    }

    /// False when `until` is before `since`: such a window selects nothing.
    public var isValid: Bool {
        guard let s = since, let u = until else { return true }
        return s <= u
    }
}
