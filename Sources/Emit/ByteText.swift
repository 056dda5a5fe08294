/// UTF-8 text built by appending bytes (several times cheaper than appending to a `String`), handed to a sink
/// a piece at a time when one is set: a large generated file is written while it is built, never held whole.
struct ByteText {
    private(set) var bytes: [UInt8] = []
    /// Where full pieces go (`drain`); nil: everything stays in `bytes`.
    var sink: EmittedFile.Sink?

    /// Bytes held before `drain` hands them on.
    static let piece = 1 << 18

    init(reservingCapacity n: Int = 0, sink: EmittedFile.Sink? = nil) {
        self.sink = sink
        bytes.reserveCapacity(n)
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var count: Int { bytes.count }

    mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func append(_ s: Substring) { bytes.append(contentsOf: s.utf8) }
    mutating func append(_ b: UInt8) { bytes.append(b) }
    mutating func append(_ s: StaticString) { s.withUTF8Buffer { bytes.append(contentsOf: $0) } }
    mutating func append(_ other: ByteText) { bytes.append(contentsOf: other.bytes) }
    mutating func spaces(_ n: Int) { for _ in 0..<n { bytes.append(0x20) } }

    /// A non-negative integer in decimal.
    mutating func append<I: BinaryInteger>(decimal n: I) {
        if n >= 0 && n < 10 { bytes.append(0x30 + UInt8(n)); return }
        bytes.append(contentsOf: String(n).utf8)
    }

    /// Hands the bytes to the sink once a piece is full (`all`: whatever is held). Without a sink, nothing.
    mutating func drain(all: Bool = false) throws {
        guard let sink, !bytes.isEmpty, all || bytes.count >= Self.piece else { return }
        try bytes.withUnsafeBytes { try sink($0) }
        bytes.removeAll(keepingCapacity: true)
    }
}
