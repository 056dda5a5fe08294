#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps byte strings to dense ids (0, 1, 2 ...) without allocating per lookup: an open-addressing table over a
/// byte arena. Used on the ingest hot path to recognise an endpoint object, an IP, a name list or an L7 request
/// by its raw JSON bytes and reuse what was decoded from it the first time.
struct ByteInterner {
    private var arena: [UInt8] = []
    /// Slot: id + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int
    private var hashes: [UInt64] = []
    private var offsets: [Int] = []
    private var lengths: [Int32] = []

    var count: Int { offsets.count }
    /// Bytes held (arena + tables), for bounding memory.
    var footprint: Int { arena.capacity + slots.count * 4 + offsets.count * 20 }

    init(capacity: Int = 1024) {
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        slots = [Int32](repeating: 0, count: cap)
        mask = cap - 1
        arena.reserveCapacity(1 << 16)
    }

    /// A table of `names`, numbered in their order (a reader's field names, recognised by their bytes).
    init<S: Sequence<String>>(names: S, capacity: Int) {
        self.init(capacity: capacity)
        for name in names {
            var n = name
            _ = n.withUTF8 { intern($0.baseAddress!, $0.count) }
        }
    }

    mutating func removeAll() {
        for i in slots.indices { slots[i] = 0 }
        hashes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
    }

    /// Four independent lanes over 32-byte blocks, so long keys (endpoint objects) hash at memory speed.
    @inline(__always) static func hash(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        var c: UInt64 = 0x1656_67B1_9E37_79F9
        var d: UInt64 = 0x85EB_CA77_C2B2_AE63
        var i = 0
        while i + 32 <= n {
            a = ContentHash.lane(a, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            b = ContentHash.lane(b, p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            c = ContentHash.lane(c, p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            d = ContentHash.lane(d, p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        while i + 8 <= n {
            a = ContentHash.lane(a, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var k = 0
            while i < n {
                w |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (k * 8)
                i += 1
                k += 1
            }
            b = ContentHash.lane(b, w)
        }
        var h = a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (c &* 0xC2B2_AE3D_27D4_EB4F) ^ (d &* 0x1656_67B1_9E37_79F9)
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 33)
    }

    /// The id of these bytes, or nil when they were never inserted.
    @inline(__always) func find(_ p: UnsafeRawPointer, _ n: Int) -> Int32? {
        let h = ByteInterner.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = slots[s]
            if e == 0 { return nil }
            let id = Int(e - 1)
            if hashes[id] == h && Int(lengths[id]) == n && same(id, p, n) {
                return Int32(id)
            }
            s = (s + 1) & mask
        }
    }

    /// The id of these bytes; `isNew` tells whether they were just added.
    @inline(__always) mutating func intern(_ p: UnsafeRawPointer, _ n: Int) -> (id: Int32, isNew: Bool) {
        let h = ByteInterner.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = slots[s]
            if e == 0 { break }
            let id = Int(e - 1)
            if hashes[id] == h && Int(lengths[id]) == n && same(id, p, n) {
                return (Int32(id), false)
            }
            s = (s + 1) & mask
        }
        let id = offsets.count
        offsets.append(arena.count)
        lengths.append(Int32(n))
        hashes.append(h)
        arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        slots[s] = Int32(id + 1)
        if offsets.count * 2 > slots.count { grow() }
        return (Int32(id), true)
    }

    private mutating func grow() {
        let cap = slots.count * 2
        slots = [Int32](repeating: 0, count: cap)
        mask = cap - 1
        for id in 0..<offsets.count {
            var s = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(id + 1)
        }
    }

    @inline(__always) private func same(_ id: Int, _ p: UnsafeRawPointer, _ n: Int) -> Bool {
        if n == 0 { return true }
        let off = offsets[id]
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + off, p, n) == 0 }
    }

    /// The length of `id`'s bytes when they are also at `p` (`available` bytes readable there), else nil.
    @inline(__always) func matches(_ id: Int32, at p: UnsafeRawPointer, available: Int) -> Int? {
        let n = Int(lengths[Int(id)])
        guard n <= available else { return nil }
        let off = offsets[Int(id)]
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + off, p, n) == 0 } ? n : nil
    }

    /// The bytes of an id, copied.
    func bytes(_ id: Int32) -> [UInt8] {
        Array(arena[offsets[Int(id)]..<(offsets[Int(id)] + Int(lengths[Int(id)]))])
    }
}
