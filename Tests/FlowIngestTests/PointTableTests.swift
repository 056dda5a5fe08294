import TestSupport
import Testing
@testable import FlowIngest

/// `PointTable` (the aggregator's point-key table on a cheap hash) numbers keys as `InternTable` does: the same
/// id for an equal key, new ids in insertion order, across growth and after `removeAll`.
@Suite struct PointTableTests {
    typealias Key = FlowAggregator.PointKey
    /// The reference dictionary's key (`PointKey` itself is hashed by `PointTable` only).
    struct Words: Hashable {
        var peers: UInt64, rest: UInt64, bucket: Int64
        init(_ k: Key) { (peers, rest, bucket) = (k.peers, k.rest, k.bucket) }
    }

    /// Few distinct values per word (dense ids, a few buckets), so keys repeat and differ in one word only.
    static func keys(seed: UInt64, count: Int) -> [Key] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            Key(peers: UInt64.random(in: 0..<40, using: &rng) << 32 | UInt64.random(in: 0..<40, using: &rng),
                rest: UInt64.random(in: 0..<8, using: &rng) | UInt64.random(in: 0..<6, using: &rng) << 32,
                bucket: Int64.random(in: 0..<5, using: &rng) * 300_000_000_000)
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func numbersAsInternTable(seed: UInt64) {
        var table = PointTable()
        var ids: [Words: Int32] = [:]
        var order: [Key] = []
        for round in 0..<2 {
            for k in Self.keys(seed: seed &+ UInt64(round), count: 20_000) {
                let (id, inserted) = table.insert(k)
                if let want = ids[Words(k)] {
                    #expect(id == want && !inserted)
                } else {
                    #expect(id == Int32(order.count) && inserted)
                    ids[Words(k)] = id
                    order.append(k)
                }
            }
            #expect(table.values == order)
            #expect(table.count == order.count)
            table.removeAll(keepingCapacity: round == 0)
            ids.removeAll()
            order.removeAll()
            #expect(table.count == 0)
        }
    }

    /// Keys equal but for one word (`word` 0: peers, 1: rest, 2: bucket) are told apart: probing passes through
    /// slots holding such near-equal keys, so a comparison that skips a word numbers them as one.
    @Test(arguments: [0, 1, 2])
    func oneWordApart(word: Int) {
        var table = PointTable()
        let base = Key(peers: 3 << 32 | 4, rest: 443 | 6 << 16 | 1 << 32, bucket: 3_600_000_000_000)
        let got = (0..<5_000).map { i in
            var k = base
            switch word {
            case 0: k.peers = UInt64(i) << 32 | 4
            case 1: k.rest = 443 | 6 << 16 | UInt64(i) << 32
            default: k.bucket = Int64(i) * 300_000_000_000
            }
            return table.insert(k)
        }
        let ids = got.map { $0.id }, allNew = got.allSatisfy { $0.inserted }
        #expect(ids == Array(0..<5_000))
        #expect(allNew)
    }
}
