/// A fixed-size set of small integers (workload indexes), 64 per word.
public struct Bitset: Sendable, Hashable {
    public private(set) var words: [UInt64]
    public let count: Int

    public init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    public static func full(_ count: Int) -> Bitset {
        var b = Bitset(count: count)
        for i in 0..<b.words.count { b.words[i] = .max }
        if count % 64 != 0, !b.words.isEmpty { b.words[b.words.count - 1] = (UInt64(1) << UInt64(count % 64)) - 1 }
        return b
    }

    @inline(__always) public func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
    @inline(__always) public mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }
    public mutating func remove(_ i: Int) { words[i >> 6] &= ~(1 << UInt64(i & 63)) }

    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    public var popcount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    public mutating func formUnion(_ o: Bitset) { for i in 0..<words.count { words[i] |= o.words[i] } }
    public mutating func formIntersection(_ o: Bitset) { for i in 0..<words.count { words[i] &= o.words[i] } }
    public mutating func subtract(_ o: Bitset) { for i in 0..<words.count { words[i] &= ~o.words[i] } }

    public func union(_ o: Bitset) -> Bitset { var b = self; b.formUnion(o); return b }
    public func intersection(_ o: Bitset) -> Bitset { var b = self; b.formIntersection(o); return b }
    public func subtracting(_ o: Bitset) -> Bitset { var b = self; b.subtract(o); return b }

    /// Set members in ascending order.
    public var members: [Int] {
        var out: [Int] = []
        for (wi, w0) in words.enumerated() {
            var w = w0
            while w != 0 {
                let t = w.trailingZeroBitCount
                out.append(wi * 64 + t)
                w &= w - 1
            }
        }
        return out
    }
}
