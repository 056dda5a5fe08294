#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import Dispatch
import FlowModel

/// Bytes of one input: a file or stdin, plain or gzip (recognised by its magic bytes, whatever the name).
/// Concatenated gzip members (as `cat a.gz b.gz` makes) are read as one stream.
final class InputSource {
    enum ReadResult {
        case data(Int)
        case end
        /// Nothing arrived within the timeout (streams only).
        case timeout
    }

    let fd: Int32
    let display: String
    let ownsFD: Bool
    /// Raw bytes read from the descriptor (compressed size for gzip).
    private(set) var rawBytes: Int64 = 0
    private(set) var isGzip = false
    /// Size of a regular file, 0 otherwise.
    let size: Int64
    /// False for stdin and for paths that are pipes, FIFOs or devices (`<(…)`, `/dev/fd/N`, `mkfifo`): those
    /// can be read once only, so they are read like stdin (format from the first record, batches, no hash).
    let isRegular: Bool
    /// The content hash of the raw bytes read so far (hashed on another thread: `BackgroundHash`).
    var hash: ContentHash { hasher.value }
    private var hasher: BackgroundHash
    let hashing: Bool
    /// SHA-256 of the first `ResumeRecord.headBytes` raw bytes (or all, when fewer): finds earlier reads of this file.
    private(set) var head = SHA256()
    /// Position in the file of the next raw read.
    private var rawOffset: Int64 = 0
    /// Raw bytes below this offset are already in `hash` (a resumed read goes over some of them again).
    private var hashFrom: Int64 = 0
    /// Decoded bytes still to drop before the first one handed out (a resumed gzip is decompressed from its start).
    private var skipDecoded: Int64 = 0
    /// The earlier read this one goes on from, when the file starts with exactly the bytes that read hashed.
    private(set) var resumed: ResumePoint?

    private var detected = false
    private var rawEOF = false
    private let rawCapacity = 1 << 20
    private let raw: UnsafeMutablePointer<UInt8>
    private var rawStart = 0
    private var rawEnd = 0
    private var z = z_stream()
    private var zOpen = false

    /// True when `path` is stdin or names something that is neither a regular file nor a directory (a pipe, a
    /// FIFO, a device): it must be opened once and read as a stream. A missing path is not one (the open
    /// reports it).
    static func isStream(_ path: String) -> Bool {
        if path == "-" { return true }
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    /// Readable when the reader should stop (streams only); -1: never.
    let stop: Int32

    /// Whether the content hash includes the legacy one (`ContentHash.withLegacy`).
    let legacyHash: Bool

    /// `candidates`: earlier reads of files that may be this one's beginning (see `resume(from:)`). `legacyHash`:
    /// also compute the hash an earlier FlowMap stored (`ContentHash.legacyHex`).
    init(path: String, stdin: Int32 = 0, stdinName: String = "<stdin>", candidates: [ResumePoint] = [],
         stop: Int32 = -1, legacyHash: Bool = true) throws {
        self.legacyHash = legacyHash
        hasher = BackgroundHash(ContentHash(legacy: legacyHash))
        let isStdin = path == "-"
        display = isStdin ? stdinName : path
        self.stop = stop
        if isStdin {
            fd = stdin
            ownsFD = false
            var st = stat()
            size = fstat(stdin, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : 0
            hashing = false
            isRegular = false
        } else {
            var st = stat()
            if stat(path, &st) != 0 {
                throw IngestDriver.Failure.open(path: path, reason: String(cString: strerror(errno)))
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw IngestDriver.Failure.open(path: path, reason: DirectoryHint.message(for: path))
            }
            let f = open(path, O_RDONLY)
            if f < 0 { throw IngestDriver.Failure.open(path: path, reason: String(cString: strerror(errno))) }
            fd = f
            ownsFD = true
            isRegular = (st.st_mode & S_IFMT) == S_IFREG
            size = isRegular ? Int64(st.st_size) : 0
            hashing = isRegular
        }
        raw = .allocate(capacity: rawCapacity)
        if hashing && !candidates.isEmpty { try resume(from: candidates) }
    }

    /// Hashes this file's first bytes at each candidate's length; the longest candidate whose content hash they
    /// match is where reading goes on (a plain file from its offset, a gzip decompressed from the start with that
    /// many decoded bytes dropped). Without a match the file is read from the start, as new.
    private func resume(from candidates: [ResumePoint]) throws {
        let usable = candidates.filter { $0.rawLength > 0 && $0.rawLength <= size }.sorted { $0.rawLength < $1.rawLength }
        guard let longest = usable.last?.rawLength else { return }
        var best: (point: ResumePoint, hash: ContentHash)?
        var next = 0
        var magic: [UInt8] = []
        while rawOffset < longest {
            let want = Int(Swift.min(Int64(rawCapacity), usable[next].rawLength - rawOffset))
            let n = Glibc.read(fd, raw, want)
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestDriver.Failure.read(path: display, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }  // shorter than it was a moment ago: no candidate beyond this point
            if magic.count < 3 { magic += UnsafeBufferPointer(start: raw, count: Swift.min(n, 3 - magic.count)) }
            note(UnsafeRawBufferPointer(start: raw, count: n))
            while next < usable.count && usable[next].rawLength == rawOffset {
                if hash.hex == usable[next].contentHash { best = (usable[next], hash) }
                next += 1
            }
            if next == usable.count { break }
        }
        let bom: Int64 = magic == [0xEF, 0xBB, 0xBF] ? 3 : 0
        let gzip = magic.count >= 2 && magic[0] == 0x1F && magic[1] == 0x8B
        let restart: Int64
        if let b = best {
            resumed = b.point
            hasher = BackgroundHash(b.hash)
            hashFrom = b.point.rawLength
            if gzip {
                restart = 0
                skipDecoded = b.point.offset
            } else {
                restart = b.point.offset + bom
                detected = true  // the middle of a plain file: no magic to look for, no byte order mark to drop
                atStart = false
            }
        } else {
            hasher = BackgroundHash(ContentHash(legacy: legacyHash))
            hashFrom = 0
            restart = 0
        }
        guard lseek(fd, off_t(restart), SEEK_SET) == off_t(restart) else {
            throw IngestDriver.Failure.read(path: display, reason: String(cString: strerror(errno)))
        }
        rawOffset = restart
    }

    /// Adds raw bytes read at `rawOffset` to the content hash (those not in it yet) and to the head hash.
    /// `borrow`: the bytes are the caller's (`read`'s buffer) and are hashed in place; the caller settles the
    /// hash (`settleHash`) before changing them.
    private func note(_ b: UnsafeRawBufferPointer, borrow: Bool = false) {
        let start = rawOffset
        let end = start + Int64(b.count)
        rawOffset = end
        let headEnd = Swift.min(end, ResumeRecord.headBytes)
        let headHave = Int64(head.length)
        if headHave >= start && headHave < headEnd {
            head.update(UnsafeRawBufferPointer(rebasing: b[Int(headHave - start)..<Int(headEnd - start)]))
        }
        if end > hashFrom {
            let fresh = start >= hashFrom ? b : UnsafeRawBufferPointer(rebasing: b[Int(hashFrom - start)...])
            if borrow { hasher.update(borrowing: fresh) } else { hasher.update(fresh) }
        }
    }

    /// Waits until the content hash no longer reads the bytes `read` returned (plain files are hashed in place,
    /// beside the parsing): call before changing or freeing that buffer.
    func settleHash() { hasher.settle() }

    /// Runs `work` in `group` after the content hash has taken every byte read so far, on the hash's thread (a
    /// file being hashed); on a global queue otherwise.
    func afterHash(_ group: DispatchGroup, _ work: @escaping @Sendable () -> Void) {
        if hashing { hasher.then(group, work) } else { DispatchQueue.global().async(group: group, execute: work) }
    }

    deinit {
        hasher.settle()
        if zOpen { inflateEnd(&z) }
        raw.deallocate()
        if ownsFD { close(fd) }
    }

    /// The head hash of a file without reading it all (`ResumeRecord.headHash`), and its size; nil when it is not
    /// a regular file or cannot be read.
    static func head(ofFile path: String) -> (hash: String, size: Int64)? {
        guard let s = try? InputSource(path: path), s.isRegular else { return nil }
        var buf = [UInt8](repeating: 0, count: Int(ResumeRecord.headBytes))
        var got = 0
        while got < buf.count {
            let n = buf.withUnsafeMutableBytes { Glibc.read(s.fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        var h = SHA256()
        buf.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        return ("sha256:" + h.hex, s.size)
    }

    /// Reads raw bytes into `into`; `timeoutMS` < 0 blocks. `borrow`: `into` is `read`'s caller's buffer, hashed
    /// in place (see `note`).
    private func readRaw(_ into: UnsafeMutablePointer<UInt8>, _ max: Int, timeoutMS: Int,
                         borrow: Bool = false) throws -> ReadResult {
        if !isRegular {
            // A stream waits in slices, so a stop signal (StopSignal) that lands just before the wait ends it soon;
            // a readable `stop` descriptor (watch, live sources) ends it too.
            var left = timeoutMS
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            let watched: nfds_t = stop >= 0 ? 2 : 1
            while true {
                if StopSignal.requested { return .end }
                let slice = left < 0 ? 200 : Swift.min(left, 200)
                let r = poll(&p, watched, Int32(slice))
                if r < 0 && errno == EINTR { continue }
                if r > 0 {
                    if watched == 2 && p[1].revents != 0 { return .end }  // asked to stop: what was read is the input
                    break  // readable, hung up or error: read() tells which
                }
                if left >= 0 {
                    left -= slice
                    if left <= 0 { return .timeout }
                }
            }
        } else if timeoutMS >= 0 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while true {
                let r = poll(&p, 1, Int32(min(timeoutMS, Int(Int32.max))))
                if r < 0 && errno == EINTR { continue }
                if r == 0 { return .timeout }
                break  // readable, hung up or error: read() tells which
            }
        }
        while true {
            let n = Glibc.read(fd, into, max)
            if n < 0 {
                if errno == EINTR {
                    if StopSignal.requested { return .end }
                    continue
                }
                throw IngestDriver.Failure.read(path: display, reason: String(cString: strerror(errno)))
            }
            if n == 0 { return .end }
            rawBytes += Int64(n)
            if hashing { note(UnsafeRawBufferPointer(start: into, count: n), borrow: borrow) }
            return .data(n)
        }
    }

    private var atStart = true
    /// Set when gzip data stopped being readable (a truncated member, bytes that are not gzip after the last
    /// member): everything decompressed before it is kept and read; the driver reports this after the last line.
    private(set) var gzipProblem: String?
    private var sawMember = false

    /// Reads decoded bytes into `buf` (up to `max`). A UTF-8 byte order mark at the start of the input is
    /// dropped (spreadsheet exports write one before a CSV header), so every format reads such a file normally.
    ///
    /// An input whose first non-blank byte opens a JSON array is read as JSON lines, one element per line
    /// (`JSONArrayLines`), so every JSON-lines reader takes an array of its records.
    ///
    /// A plain file's bytes are hashed where they were read, in `buf`, while the caller parses them: the caller
    /// calls `settleHash()` before it moves, overwrites or frees them (reading more into the room after them is
    /// fine).
    func read(into buf: UnsafeMutablePointer<UInt8>, max: Int, timeoutMS: Int = -1) throws -> ReadResult {
        if arrayOut.count > arrayOutStart { return .data(takeArrayOut(into: buf, max: max)) }
        let r = try readUnwrapped(into: buf, max: max, timeoutMS: timeoutMS)
        guard case .data(let n) = r else { return r }
        decodedBytes += Int64(n)
        if isArray == nil {
            isArray = JSONArrayLines.startsWithArray(UnsafeBufferPointer(start: buf, count: n))
        }
        guard isArray == true else { return r }
        settleHash()  // the array's bytes are rewritten in `buf`
        arrayOut.removeAll(keepingCapacity: true)
        arrayOutStart = 0
        arrayLines.feed(UnsafeBufferPointer(start: buf, count: n), into: &arrayOut)
        if arrayOut.isEmpty { return try read(into: buf, max: max, timeoutMS: timeoutMS) }
        return .data(takeArrayOut(into: buf, max: max))
    }

    /// Decoded bytes read so far (after gzip, before a JSON array is rewritten): what progress shows.
    private(set) var decodedBytes: Int64 = 0
    /// Nil until the first non-blank byte; true when the input is a JSON array.
    private(set) var isArray: Bool?
    private var arrayLines = JSONArrayLines()
    private var arrayOut: [UInt8] = []
    private var arrayOutStart = 0

    private func takeArrayOut(into buf: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        let n = Swift.min(max, arrayOut.count - arrayOutStart)
        arrayOut.withUnsafeBufferPointer { buf.update(from: $0.baseAddress! + arrayOutStart, count: n) }
        arrayOutStart += n
        return n
    }

    private func readUnwrapped(into buf: UnsafeMutablePointer<UInt8>, max: Int, timeoutMS: Int) throws -> ReadResult {
        // A resumed read skips the decoded bytes already counted (before a JSON array is rewritten).
        while skipDecoded > 0 {
            let r = try readUnmarked(into: buf, max: max, timeoutMS: timeoutMS)
            guard case .data(let n) = r else { return r }
            if Int64(n) <= skipDecoded {
                skipDecoded -= Int64(n)
                continue
            }
            let k = Int(skipDecoded)
            skipDecoded = 0
            settleHash()
            memmove(buf, buf + k, n - k)
            return .data(n - k)
        }
        return try readUnmarked(into: buf, max: max, timeoutMS: timeoutMS)
    }

    /// `read` before a resumed read's skip.
    private func readUnmarked(into buf: UnsafeMutablePointer<UInt8>, max: Int, timeoutMS: Int) throws -> ReadResult {
        let r = try readDecoded(into: buf, max: max, timeoutMS: timeoutMS)
        guard atStart, case .data(let n) = r else { return r }
        atStart = false
        if n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF {
            settleHash()
            memmove(buf, buf + 3, n - 3)
            return n == 3 ? try readUnmarked(into: buf, max: max, timeoutMS: timeoutMS) : .data(n - 3)
        }
        return r
    }

    private func readDecoded(into buf: UnsafeMutablePointer<UInt8>, max: Int, timeoutMS: Int) throws -> ReadResult {
        if !detected {
            // Look at the first bytes: gzip starts with 1f 8b.
            while rawEnd < 2 && !rawEOF {
                switch try readRaw(raw + rawEnd, rawCapacity - rawEnd, timeoutMS: timeoutMS) {
                case .data(let n): rawEnd += n
                case .end: rawEOF = true
                case .timeout: return .timeout
                }
            }
            detected = true
            if rawEnd >= 2 && raw[0] == 0x1F && raw[1] == 0x8B {
                isGzip = true
                let rc = flowmap_inflate_init(&z)
                guard rc == Z_OK else { throw IngestDriver.Failure.read(path: display, reason: "zlib init failed (\(rc))") }
                zOpen = true
            }
        }
        if !isGzip {
            if rawStart < rawEnd {
                let n = Swift.min(max, rawEnd - rawStart)
                buf.update(from: raw + rawStart, count: n)
                rawStart += n
                return .data(n)
            }
            if rawEOF { return .end }
            return try readRaw(buf, max, timeoutMS: timeoutMS, borrow: true)
        }
        if gzipProblem != nil { return .end }
        while true {
            if rawStart == rawEnd && !rawEOF {
                rawStart = 0
                rawEnd = 0
                switch try readRaw(raw, rawCapacity, timeoutMS: timeoutMS) {
                case .data(let n): rawEnd = n
                case .end: rawEOF = true
                case .timeout: return .timeout
                }
            }
            if rawStart == rawEnd && rawEOF {
                if zOpen && z.total_in > 0 {
                    gzipProblem = "gzip data ends in the middle of a member (truncated file?); what decompressed "
                        + "before it was read"
                }
                return .end
            }
            z.next_in = raw + rawStart
            z.avail_in = UInt32(rawEnd - rawStart)
            z.next_out = buf
            z.avail_out = UInt32(Swift.min(max, Int(UInt32.max)))
            let rc = inflate(&z, Z_NO_FLUSH)
            let consumed = (rawEnd - rawStart) - Int(z.avail_in)
            rawStart += consumed
            let produced = Swift.min(max, Int(UInt32.max)) - Int(z.avail_out)
            if rc == Z_STREAM_END {
                // End of one member; another may follow (concatenated gzip).
                inflateReset(&z)
                z.total_in = 0
                sawMember = true
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                let msg = z.msg.map { String(cString: $0) } ?? "code \(rc)"
                let message = sawMember && z.total_out == 0
                    ? "bytes after the last gzip member are not gzip (\(msg)); ignored"
                    : "gzip data is damaged (\(msg)); what decompressed before it was read, the rest ignored"
                gzipProblem = message
                return produced > 0 ? .data(produced) : .end
            }
            if produced > 0 { return .data(produced) }
        }
    }
}
