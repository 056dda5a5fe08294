#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowModel

/// Reads one input (a file or `-` for stdin), splits it into lines, feeds a `LineReader`, and hands aggregated
/// batches to `commit`. A file is one batch (one transaction); a stream commits every `batchFlows` accepted
/// flows so a crash loses at most the last batch.
public struct IngestDriver {
    public var batchFlows: Int
    /// Lines longer than this are rejected and skipped without being held in memory.
    public var maxLineBytes: Int
    public var chunkBytes: Int

    public init(batchFlows: Int = 200_000, maxLineBytes: Int = 64 << 20, chunkBytes: Int = 4 << 20) {
        self.batchFlows = batchFlows
        self.maxLineBytes = maxLineBytes
        self.chunkBytes = chunkBytes
    }

    /// What `commit` receives.
    public struct Chunk: Sendable {
        public var batch: IngestBatch
        public var counts: IngestCounts
        /// Content hash of the whole input; set on the final chunk of a file, nil for streams.
        public var contentHash: String?
        public var isFinal: Bool
    }

    public enum Failure: Error, CustomStringConvertible {
        case open(path: String, reason: String)
        case read(path: String, reason: String)
        public var description: String {
            switch self {
            case .open(let p, let r): return "\(p): cannot open: \(r)"
            case .read(let p, let r): return "\(p): read failed: \(r)"
            }
        }
    }

    /// Runs the input through `reader`. `onIssue` gets each rejected line; `commit` gets each batch.
    public func run<R: LineReader>(path: String, reader: inout R, onIssue: (InputIssue) -> Void,
                                   commit: (Chunk) throws -> Void) throws {
        let isStdin = path == "-"
        let display = isStdin ? "<stdin>" : path
        let fd: Int32
        if isStdin {
            fd = 0
        } else {
            var st = stat()
            if stat(path, &st) != 0 { throw Failure.open(path: path, reason: String(cString: strerror(errno))) }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw Failure.open(path: path, reason: "is a directory; pass the files in it (e.g. \(path)/*.json)")
            }
            fd = open(path, O_RDONLY)
            if fd < 0 { throw Failure.open(path: path, reason: String(cString: strerror(errno))) }
        }
        defer { if !isStdin { close(fd) } }

        var agg = FlowAggregator()
        var hash = ContentHash()
        var lineNo = 0
        var carry = [UInt8]()  // bytes of a line that spans chunks
        var skippingLongLine = false
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 8)
        defer { buf.deallocate() }
        var sinceCommit = 0

        var recordStart: Int?  // first line of a multi-line record still being read

        func count(_ result: LineResult) {
            if case .pending = result {
                if recordStart == nil { recordStart = lineNo }
                return
            }
            let at = recordStart ?? lineNo
            recordStart = nil
            agg.countLine()
            switch result {
            case .accepted: sinceCommit += 1
            case .skipped: agg.countSkipped()
            case .rejected(let field, let message):
                agg.countRejected()
                onIssue(InputIssue(file: display, line: at, field: field, message: message))
            case .pending: break
            }
        }

        func handle(_ line: UnsafeRawBufferPointer) {
            lineNo += 1
            var l = line
            if let last = l.last, last == UInt8(ascii: "\r") { l = UnsafeRawBufferPointer(rebasing: l.dropLast()) }
            if l.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            count(reader.read(line: l, into: &agg))
        }

        while true {
            let n = read(fd, buf.baseAddress, chunkBytes)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.read(path: display, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            let data = UnsafeRawBufferPointer(rebasing: buf[0..<n])
            if !isStdin { hash.update(data) }
            agg.countBytes(n)
            var start = 0
            while start < n {
                guard let nl = memchr(data.baseAddress! + start, 0x0A, n - start) else {
                    // No newline in the rest of the chunk: keep it for the next read.
                    if !skippingLongLine {
                        carry.append(contentsOf: data[start..<n])
                        if carry.count > maxLineBytes {
                            lineNo += 1
                            agg.countLine()
                            agg.countRejected()
                            onIssue(InputIssue(file: display, line: lineNo,
                                               message: "line longer than \(maxLineBytes >> 20) MiB; skipped"))
                            carry = []
                            skippingLongLine = true
                        }
                    }
                    break
                }
                let end = UnsafeRawPointer(nl) - data.baseAddress!
                if skippingLongLine {
                    skippingLongLine = false
                } else if carry.isEmpty {
                    handle(UnsafeRawBufferPointer(rebasing: data[start..<end]))
                } else {
                    carry.append(contentsOf: data[start..<end])
                    carry.withUnsafeBytes { handle($0) }
                    carry.removeAll(keepingCapacity: false)
                }
                start = end + 1
            }
            if isStdin && sinceCommit >= batchFlows {
                let (b, c) = agg.take()
                try commit(Chunk(batch: b, counts: c, contentHash: nil, isFinal: false))
                sinceCommit = 0
            }
        }
        if !carry.isEmpty { carry.withUnsafeBytes { handle($0) } }
        if let last = reader.finish(into: &agg) { count(last) }
        let (b, c) = agg.take()
        try commit(Chunk(batch: b, counts: c, contentHash: isStdin ? nil : hash.hex, isFinal: true))
    }
}
