/// The 64-bit content hash FlowMap stored before SHA-256 (four multiply-xorshift lanes over 32-byte blocks).
/// Not collision-resistant: computed only to recognise files that a store written by an earlier FlowMap already
/// holds, so that re-ingesting them after an upgrade does not count them twice (the row is then re-stamped with
/// SHA-256). The result depends only on the bytes, not on how they were split across `update` calls.
struct LegacyContentHash: Sendable {
    private var a: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private var c: UInt64 = 0x1656_67B1_9E37_79F9
    private var d: UInt64 = 0x85EB_CA77_C2B2_AE63
    /// Bytes of an incomplete block carried to the next update.
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0
    private var length: UInt64 = 0

    @inline(__always) private mutating func block(_ p: UnsafeRawPointer) {
        a = ContentHash.lane(a, p.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        b = ContentHash.lane(b, p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        c = ContentHash.lane(c, p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        d = ContentHash.lane(d, p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    mutating func update(_ buf: UnsafeRawBufferPointer) {
        guard let base = buf.baseAddress, buf.count > 0 else { return }
        length += UInt64(buf.count)
        var i = 0
        let n = buf.count
        if pendingCount > 0 {
            let take = min(32 - pendingCount, n)
            withUnsafeMutableBytes(of: &pending) { pb in
                pb.baseAddress!.advanced(by: pendingCount).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            i = take
            if pendingCount < 32 { return }
            var blk = pending
            withUnsafeBytes(of: &blk) { block($0.baseAddress!) }
            pendingCount = 0
        }
        while i + 32 <= n {
            block(base + i)
            i += 32
        }
        if i < n {
            pending = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &pending) { pb in
                pb.baseAddress!.copyMemory(from: base + i, byteCount: n - i)
            }
            pendingCount = n - i
        }
    }

    /// As stored: 16 hex digits, `-`, the length.
    var hex: String {
        var h = a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (c &* 0xC2B2_AE3D_27D4_EB4F) ^ (d &* 0x1656_67B1_9E37_79F9)
        if pendingCount > 0 {
            var blk = pending
            withUnsafeBytes(of: &blk) { p in
                for k in 0..<((pendingCount + 7) / 8) {
                    h = ContentHash.lane(h, p.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self))
                }
            }
        }
        h ^= length
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s + "-" + String(length)
    }
}
