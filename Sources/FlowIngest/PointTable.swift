/// `InternTable<FlowAggregator.PointKey>` on a cheap hash (issue 22): the aggregator's per-flow lookup and
/// `finish()`'s grouping hash three machine words of interned ids, for which `Hasher`'s per-lookup seeding and
/// SipHash rounds cost more than the probe. Open addressing with linear probing over a power-of-two slot array,
/// at most half full; ids are numbered 0, 1, 2 … in insertion order, exactly as `InternTable` numbers them.
struct PointTable {
    typealias Key = FlowAggregator.PointKey

    private(set) var values: [Key] = []
    /// Slot: id + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int

    init(minimumCapacity n: Int = 0) {
        var cap = 64
        while cap < n * 2 { cap <<= 1 }
        slots = [Int32](repeating: 0, count: cap)
        mask = cap - 1
        values.reserveCapacity(n)
    }

    var count: Int { values.count }

    subscript(id: Int) -> Key { values[id] }

    /// A multiply-xorshift mix of the three words: the ids are small and dense, so their low bits alone would
    /// cluster.
    @inline(__always) static func hash(_ k: Key) -> Int {
        var h = k.peers &* 0x9E37_79B9_7F4A_7C15
        h ^= k.rest &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(bitPattern: k.bucket) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 31
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    /// The id of `key`, numbering it when it is new (`inserted`).
    @inline(__always)
    mutating func insert(_ key: Key) -> (id: Int32, inserted: Bool) {
        var s = Self.hash(key) & mask
        while true {
            let e = slots[s]
            if e == 0 { break }
            if values[Int(e - 1)] == key { return (e - 1, false) }
            s = (s + 1) & mask
        }
        let id = Int32(values.count)
        values.append(key)
        slots[s] = id + 1
        if values.count * 2 > slots.count { grow() }
        return (id, true)
    }

    /// The id of `key`, numbering it when it is new.
    @inline(__always)
    mutating func id(_ key: Key) -> Int32 { insert(key).id }

    private mutating func grow() {
        let cap = slots.count * 2
        slots = [Int32](repeating: 0, count: cap)
        mask = cap - 1
        for (i, k) in values.enumerated() {
            var s = Self.hash(k) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(i + 1)
        }
    }

    mutating func removeAll(keepingCapacity keep: Bool = false) {
        values.removeAll(keepingCapacity: keep)
        if keep {
            for i in slots.indices { slots[i] = 0 }
        } else {
            slots = [Int32](repeating: 0, count: 64)
            mask = 63
        }
    }
}
