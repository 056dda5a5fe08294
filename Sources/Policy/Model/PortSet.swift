/// A set of port numbers in 1...65535, kept as sorted, disjoint, non-adjacent closed ranges.
public struct PortSet: Sendable, Hashable, CustomStringConvertible {
    public static let minPort = 1
    public static let maxPort = 65535

    /// Sorted, disjoint, non-adjacent.
    public private(set) var ranges: [ClosedRange<Int>]

    public init() { ranges = [] }

    public init(_ range: ClosedRange<Int>) {
        let lo = max(range.lowerBound, PortSet.minPort), hi = min(range.upperBound, PortSet.maxPort)
        ranges = lo <= hi ? [lo...hi] : []
    }

    public init(ranges input: [ClosedRange<Int>]) {
        var s = PortSet()
        for r in input { s.formUnion(PortSet(r)) }
        self = s
    }

    public static let all = PortSet(minPort...maxPort)
    public static let none = PortSet()

    public var isEmpty: Bool { ranges.isEmpty }
    public var isFull: Bool { ranges.count == 1 && ranges[0] == PortSet.minPort...PortSet.maxPort }

    public func contains(_ port: Int) -> Bool {
        var lo = 0, hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = ranges[mid]
            if port < r.lowerBound { hi = mid - 1 } else if port > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    public func union(_ o: PortSet) -> PortSet {
        if o.isEmpty || isFull { return self }
        if isEmpty || o.isFull { return o }
        if ranges == o.ranges { return self }
        var all = ranges + o.ranges
        all.sort { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<Int>] = []
        out.reserveCapacity(all.count)
        for r in all {
            if let last = out.last, r.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        var s = PortSet()
        s.ranges = out
        return s
    }

    public mutating func formUnion(_ o: PortSet) { self = union(o) }

    public func intersection(_ o: PortSet) -> PortSet {
        if isEmpty || o.isFull { return self }
        if o.isEmpty || isFull { return o }
        if ranges == o.ranges { return self }
        var out: [ClosedRange<Int>] = []
        var i = 0, j = 0
        while i < ranges.count && j < o.ranges.count {
            let a = ranges[i], b = o.ranges[j]
            let lo = max(a.lowerBound, b.lowerBound), hi = min(a.upperBound, b.upperBound)
            if lo <= hi { out.append(lo...hi) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        var s = PortSet()
        s.ranges = out
        return s
    }

    public func subtracting(_ o: PortSet) -> PortSet { intersection(o.complement) }

    public var complement: PortSet {
        var out: [ClosedRange<Int>] = []
        var next = PortSet.minPort
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound + 1
        }
        if next <= PortSet.maxPort { out.append(next...PortSet.maxPort) }
        var s = PortSet()
        s.ranges = out
        return s
    }

    /// `80,8080,1000-2000` style (ranges in ascending order).
    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
    }
}
