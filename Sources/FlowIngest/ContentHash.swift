/// The content hash that recognises a file that was already ingested: SHA-256 of the bytes, so a different file
/// cannot be made to look like one already stored (an earlier 64-bit hash could be collided on purpose).
/// The result depends only on the bytes, not on how they were split across `update` calls.
public struct ContentHash: Sendable {
    private var sha = SHA256()
    private var legacy = LegacyContentHash()
    /// False: the legacy hash is not computed (`legacyHex` is then meaningless): an ingest into a store that holds
    /// no source recorded under a legacy hash has nothing to compare it with (`FlowStore.hasLegacyContentHashes`),
    /// and it costs about a tenth of a Hubble read's CPU time.
    public let withLegacy: Bool
    public var length: UInt64 { sha.length }
    public init(legacy: Bool = true) { withLegacy = legacy }

    public mutating func update(_ buf: UnsafeRawBufferPointer) {
        sha.update(buf)
        if withLegacy { legacy.update(buf) }
    }

    /// `sha256:` and the hex digest. Stores written before SHA-256 hold other values, which never equal these.
    public var hex: String { "sha256:" + sha.hex }

    /// The hash an earlier FlowMap stored for these bytes (see `LegacyContentHash`).
    public var legacyHex: String { legacy.hex }

    /// A multiply-xorshift mixing step, for `ByteInterner`'s (non-cryptographic) table hash.
    @inline(__always) static func lane(_ h: UInt64, _ w: UInt64) -> UInt64 {
        var x = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 29
        return x
    }
}
