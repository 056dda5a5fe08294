/// A fast 64-bit content hash (word-at-a-time multiply-xorshift), used to recognise a file that was already
/// ingested. Not cryptographic: it guards against accidents, not adversaries.
public struct ContentHash: Sendable {
    public private(set) var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    public private(set) var length: UInt64 = 0
    public init() {}

    public mutating func update(_ buf: UnsafeRawBufferPointer) {
        var i = 0
        let n = buf.count
        var h = state
        while i + 8 <= n {
            let w = buf.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(buf[i])) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
            i += 1
        }
        state = h
        length += UInt64(n)
    }

    /// Hex digest including the length.
    public var hex: String {
        var h = state ^ length
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s + "-" + String(length)
    }
}
