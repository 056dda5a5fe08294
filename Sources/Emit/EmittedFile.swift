/// A generated file: its name (relative to the output directory) and its bytes, produced when written and
/// handed on in pieces (`ByteText.piece`), so writing a large plan never holds a whole file in memory.
public struct EmittedFile: Sendable {
    /// Receives a file's bytes in order, a piece at a time.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    public let name: String
    /// Writes the file into a sink, draining as it goes (`ByteText.drain`).
    private let body: @Sendable (@escaping Sink) throws -> Void

    init(name: String, body: @escaping @Sendable (@escaping Sink) throws -> Void) {
        self.name = name
        self.body = body
    }

    init(name: String, text: String) {
        self.init(name: name) { sink in
            var t = text
            try t.withUTF8 { try sink(UnsafeRawBufferPointer($0)) }
        }
    }

    /// `header`, then the documents `docs` write, separated by `---`.
    init(name: String, header: String, _ docs: [@Sendable (inout YAMLBuilder) -> Void]) {
        self.init(name: name) { sink in
            var y = YAMLBuilder(sink: sink)
            y.raw(header)
            for (i, write) in docs.enumerated() {
                if i > 0 { y.raw(EmitCommon.separator) }
                write(&y)
                try y.out.drain()
            }
            try y.out.drain(all: true)
        }
    }

    /// Produces the file into `sink`; throws what the sink throws.
    public func write(to sink: Sink) throws {
        try withoutActuallyEscaping(sink) { try body($0) }  // held by the file's buffer while it is produced
    }

    /// The whole file in memory (tests, small files).
    public var text: String {
        var bytes: [UInt8] = []
        try! body { bytes.append(contentsOf: $0) }  // this sink never throws
        return String(decoding: bytes, as: UTF8.self)
    }
}
