import CSHA256

/// SHA-256 (FIPS 180-4), incremental: the result depends only on the bytes, not on how they were split across
/// `update` calls. Written here because the project takes no crypto dependency; checked against the FIPS 180-4
/// example vectors in the tests. On x86-64 CPUs with the SHA extensions the compression runs on them
/// (`CSHA256`, several times faster; the input hash is on the reading thread of every ingest); the Swift rounds
/// below are the fallback and the reference the tests compare it with.
public struct SHA256: Sendable {
    /// Whether this CPU runs `CSHA256`'s SHA-NI compression (checked once, with CPUID).
    static let hardware = flowmap_sha256_ni_available() != 0
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    /// Bytes of an incomplete block carried to the next update.
    private var pending = [UInt8](repeating: 0, count: 64)
    private var pendingCount = 0
    public private(set) var length: UInt64 = 0

    /// False to use the Swift rounds even where SHA-NI is available (the tests compare both).
    private var useHardware = SHA256.hardware

    public init() {}

    init(portable: Bool) { useHardware = !portable && SHA256.hardware }

    static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// `blocks` 64-byte blocks from `p`; `w` is room for the 64-word message schedule.
    private mutating func compress(_ p: UnsafeRawPointer, blocks: Int, _ w: UnsafeMutablePointer<UInt32>) {
        if useHardware {
            // A homogeneous tuple is laid out as 8 contiguous UInt32 (H0..H7), as the C function takes them.
            withUnsafeMutableBytes(of: &h) { hb in
                flowmap_sha256_ni_compress(hb.baseAddress!.assumingMemoryBound(to: UInt32.self), p, blocks)
            }
            return
        }
        Self.k.withUnsafeBufferPointer { kb in
            let k = kb.baseAddress!
            var (h0, h1, h2, h3, h4, h5, h6, h7) = h
            for blk in 0..<blocks {
                let base = p + blk * 64
                for i in 0..<16 { w[i] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
                for i in 16..<64 {
                    let w15 = w[i - 15], w2 = w[i - 2]
                    let s0 = Self.rotr(w15, 7) ^ Self.rotr(w15, 18) ^ (w15 >> 3)
                    let s1 = Self.rotr(w2, 17) ^ Self.rotr(w2, 19) ^ (w2 >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7
                for i in 0..<64 {
                    let t1 = hh &+ (Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)) &+ ((e & f) ^ (~e & g))
                        &+ k[i] &+ w[i]
                    let t2 = (Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                    hh = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= hh
            }
            h = (h0, h1, h2, h3, h4, h5, h6, h7)
        }
    }

    public mutating func update(_ buf: UnsafeRawBufferPointer) {
        guard let base = buf.baseAddress, buf.count > 0 else { return }
        length &+= UInt64(buf.count)
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wb in
            let w = wb.baseAddress!
            var i = 0
            let n = buf.count
            if pendingCount > 0 {
                let take = min(64 - pendingCount, n)
                pending.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: pendingCount).copyMemory(from: base, byteCount: take) }
                pendingCount += take
                i = take
                if pendingCount < 64 { return }
                let blk = pending
                blk.withUnsafeBytes { compress($0.baseAddress!, blocks: 1, w) }
                pendingCount = 0
            }
            let blocks = (n - i) / 64
            if blocks > 0 {
                compress(base + i, blocks: blocks, w)
                i += blocks * 64
            }
            if i < n {
                pending.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: base + i, byteCount: n - i) }
                pendingCount = n - i
            }
        }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The 32-byte digest of everything so far (the state is not changed: more bytes may follow).
    public var digest: [UInt8] {
        var copy = self
        let bits = length &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - pendingCount) % 64)
        for s in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(s))) }
        copy.update(tail)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for v in [copy.h.0, copy.h.1, copy.h.2, copy.h.3, copy.h.4, copy.h.5, copy.h.6, copy.h.7] {
            for s in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) }
        }
        return out
    }

    /// The digest as 64 lowercase hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var s = [UInt8]()
        s.reserveCapacity(64)
        for b in digest {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return String(decoding: s, as: UTF8.self)
    }
}
