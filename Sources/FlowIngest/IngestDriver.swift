#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import FlowModel

/// Reads one input (a file or `-` for stdin, plain or gzip), splits it into lines, feeds a `LineReader`, and
/// hands aggregated batches to `commit`. A file is one batch (one transaction); a stream commits every
/// `batchFlows` accepted flows or `batchSeconds` after a batch's first line, whichever comes first, so a crash
/// loses at most the last batch. Batches always end at a line boundary.
///
/// Large reads are split at a newline into two halves read by two threads (when the reader offers a
/// `makeParallelReader()`), each into its own aggregator; the halves are combined with `FlowAggregator.absorb`
/// before commit, so results do not depend on the thread count.
public struct IngestDriver {
    public var batchFlows: Int
    /// Streams: commit a non-empty batch this many seconds after its first line even if it is not full.
    public var batchSeconds: Double
    /// Lines longer than this are rejected and skipped without being held in memory.
    public var maxLineBytes: Int
    public var chunkBytes: Int
    /// Worker threads (1 or 2).
    public var threads: Int
    public enum Progress: Sendable {
        case auto, on, off
        /// `auto`: on when stderr is a terminal; `FLOWMAP_PROGRESS=1` or `0` overrides that (tests force it on).
        public var isOn: Bool {
            switch self {
            case .on: return true
            case .off: return false
            case .auto:
                if let v = getenv("FLOWMAP_PROGRESS").map({ String(cString: $0) }), v == "0" || v == "1" {
                    return v == "1"
                }
                return isatty(2) == 1
            }
        }
    }
    /// A progress line on stderr (files and streams): decompressed bytes, MB/s, flows/s, rejects.
    public var progress: Progress
    /// The descriptor `-` reads (standard input unless a test or an embedding program says otherwise).
    public var stdinDescriptor: Int32 = 0
    /// How `-` is named in messages (`collect` names the command it reads).
    public var stdinName = "<stdin>"
    /// When this descriptor becomes readable (a byte written on SIGINT, say), a stream ends as if its input
    /// had: the last batch is committed and `run` returns. -1: none.
    public var stopDescriptor: Int32 = -1
    /// Listening ports known before the input (from an inventory), for flows no per-flow rule can orient.
    public var listening: Set<FlowAggregator.ListeningPort> = []
    /// Earlier reads of files this one may begin with (`FlowStore.resumePoints`): a file that only grew is read
    /// from where the longest matching one stopped.
    public var resumeCandidates: [ResumePoint] = []
    /// `--dedupe-window`: drops events seen before (reading then uses one thread).
    public var dedupe: FlowDedupe?
    /// `--cluster`: the local cluster of a ClusterMesh (`FlowAggregator.localCluster`); nil: per flow.
    public var localCluster: String?
    /// The store's bucket width: counts are kept per time bucket of this width.
    public var bucketWidth: Int64 = TimeBucket.defaultWidth
    /// Also compute the content hash an earlier FlowMap stored (`Chunk.legacyContentHash`); false when the store
    /// holds no source recorded under one (`FlowStore.hasLegacyContentHashes`), so there is nothing to match.
    public var legacyHash = true
    /// Two threads: read the next chunk while the second thread finishes this one (false: read after both, as
    /// before; tests compare the two).
    public var readAhead = true

    public init(batchFlows: Int = 200_000, batchSeconds: Double = 5, maxLineBytes: Int = 64 << 20,
                chunkBytes: Int = 8 << 20, threads: Int = 2, progress: Progress = .auto) {
        self.batchFlows = batchFlows
        self.batchSeconds = batchSeconds
        self.maxLineBytes = maxLineBytes
        self.chunkBytes = chunkBytes
        self.threads = threads
        self.progress = progress
    }

    /// What `commit` receives.
    public struct Chunk: Sendable {
        public var batch: IngestBatch
        public var counts: IngestCounts
        /// Content hash of the whole input; set on the final chunk of a file, nil for streams.
        public var contentHash: String?
        public var isFinal: Bool
        /// What an earlier FlowMap stored as the content hash (set with `contentHash`).
        public var legacyContentHash: String? = nil
        /// Where this read stopped, for a later read of the file grown (set with `contentHash`).
        public var resume: ResumeRecord? = nil
    }

    /// The head hash and size of a regular file (`ResumeRecord.headHash`), to look up `resumeCandidates`.
    public static func head(ofFile path: String) -> (hash: String, size: Int64)? { InputSource.head(ofFile: path) }

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

    /// True when `path` is read as a stream: stdin, a pipe, a FIFO or a device (`<(…)`, `/dev/fd/N`). Such an
    /// input can be read only once, so nothing may look at it before the driver does: its format comes from its
    /// first record (`AutoReader`), and it is committed in batches like stdin.
    public static func isStream(path: String) -> Bool { InputSource.isStream(path) }

    /// Runs the input through `reader`. `onIssue` gets each rejected line (in line order); `commit` gets each batch.
    /// The stages: `InputSource` reads (and hashes) the bytes, `LineBuffer` keeps them until their lines are
    /// complete, `IngestRun.process` reads the lines (in two halves on two threads when it can), `BatchPolicy`
    /// says when a stream's batch is due, and `IngestRun.commitBatch` hands each batch out.
    public func run<R: LineReader>(path: String, reader: inout R, onIssue: (InputIssue) -> Void,
                                   commit: (Chunk) throws -> Void) throws {
        let src = try InputSource(path: path, stdin: stdinDescriptor, stdinName: stdinName,
                                  candidates: resumeCandidates, stop: stopDescriptor, legacyHash: legacyHash)
        if let state = src.resumed?.readerState { reader.resume(from: state) }
        try withoutActuallyEscaping(onIssue) { onIssue in
            try withoutActuallyEscaping(commit) { commit in
                var r = IngestRun(driver: self, source: src, reader: reader, onIssue: onIssue, commit: commit)
                defer {
                    reader = r.reader
                    r.close()
                }
                try r.readAll()
                try r.finishInput()
            }
        }
    }
}

/// The bytes read and not yet consumed: complete lines are handed out, a partial last line waits for the next
/// read. A line longer than the buffer grows it up to `maxLineBytes`; past that the line is dropped (without
/// holding it) up to its newline.
struct LineBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes held.
    private(set) var count = 0
    /// Dropping the rest of an over-long line.
    private(set) var skipping = false
    let maxLineBytes: Int

    init(capacity: Int, maxLineBytes: Int) {
        self.capacity = max(capacity, 1 << 16)
        self.maxLineBytes = maxLineBytes
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    var isFull: Bool { count == capacity }

    /// Room for a full buffer: grows it, or returns false when the line in it is too long to keep (then the
    /// bytes held are dropped and the rest of the line is skipped).
    mutating func makeRoom() -> Bool {
        if capacity < maxLineBytes {
            let ncap = min(capacity * 2, max(maxLineBytes, capacity))
            let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: ncap)
            nb.update(from: base, count: count)
            base.deallocate()
            base = nb
            capacity = ncap
            return true
        }
        count = 0
        skipping = true
        return false
    }

    var free: (UnsafeMutablePointer<UInt8>, Int) { (base + count, capacity - count) }

    /// Takes `n` bytes just read into `free`; returns the end of the complete lines held (after the last newline),
    /// nil when there is none yet.
    mutating func appended(_ n: Int) -> Int? {
        var from = count
        count += n
        if skipping {
            guard let nl = memchr(base + from, 0x0A, count - from) else {
                count = 0
                return nil
            }
            let cut = UnsafeMutableRawPointer(nl) - UnsafeMutableRawPointer(base) + 1
            memmove(base, base + cut, count - cut)
            count -= cut
            from = 0
            skipping = false
        }
        var last = count - 1
        while last >= from && base[last] != 0x0A { last -= 1 }
        return last >= from ? last + 1 : nil
    }

    /// Starts this (spare) buffer with `other`'s bytes after its first `end` (the partial last line), sized like
    /// `other`: what `consume(end)` would leave in `other`, without moving `other`'s bytes.
    mutating func takeTail(of other: LineBuffer, after end: Int) {
        if capacity != other.capacity {
            base.deallocate()
            capacity = other.capacity
            base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        }
        count = other.count - end
        base.update(from: other.base + end, count: count)
        skipping = false
    }

    /// Drops the first `end` bytes (lines read).
    mutating func consume(_ end: Int) {
        memmove(base, base + end, count - end)
        count -= end
    }

    /// Terminates a last line without a newline so it reads as a line (`count < capacity` here).
    mutating func terminateLastLine() -> Int {
        base[count] = 0x0A
        return count + 1
    }
}

/// When a stream's batch is committed: after `flows` accepted flows, or `seconds` after the batch's first line,
/// whichever comes first. A file is one batch.
struct BatchPolicy {
    let flows: Int
    let seconds: Double
    /// Accepted flows in the current batch.
    var sinceCommit = 0
    /// When the current batch's first line was read.
    var started: Double?

    mutating func startIfNeeded() { if started == nil { started = now() } }

    /// Flows the current batch may still take.
    var room: Int { flows - sinceCommit }
    var isFull: Bool { sinceCommit >= flows }

    /// Seconds left before the batch is due (nil when no batch is open).
    var secondsLeft: Double? { started.map { $0 + seconds - now() } }

    mutating func committed() {
        sinceCommit = 0
        started = nil
    }
}

/// One `IngestDriver.run`: the reader, the aggregator (and the second thread's), line numbering and the counts
/// carried across a stream's batches.
struct IngestRun<R: LineReader> {
    let driver: IngestDriver
    let src: InputSource
    var reader: R
    /// Issues go out through a reference, so reading lines (which mutates the reader and the aggregator here)
    /// can report them as they are found.
    let sink: IssueSink
    let commit: (IngestDriver.Chunk) throws -> Void
    let isStream: Bool
    var agg: FlowAggregator
    let worker: LineWorker<R>?
    var lines: LineBuffer
    var batch: BatchPolicy
    var meter: ProgressMeter
    var lineNo = 0
    var bytesCounted: Int64 = 0
    var acceptedBefore: Int64 = 0  // in committed batches (the aggregator's counts restart per batch)
    var rejectedBefore: Int64 = 0
    var recordStart = 0  // first line of a record still being read (LineResult.pending), 0 when none
    var decoded: Int64  // decoded bytes of the input up to the end of what was read
    var resumeOffset: Int64?  // set at the end: decoded bytes up to the end of the last counted line
    var longLineStart: Int64 = 0
    /// The main thread's part of a region split between two threads (`processSplit`). It starts where a hashed
    /// Hubble read settles on this machine (the other thread also hashes) and then follows the measured times.
    var share = 0.7
    /// Read-ahead (`processSplit`): the buffer the next chunk is read into while the worker parses its part, what
    /// that read returned (handled by `readAll` as its next read), and whether `lines` was swapped for it.
    var spare: LineBuffer?
    var readAhead: InputSource.ReadResult?
    var swapped = false
    /// Split chunks whose worker share was dropped (`LineReader.join`), and how many chunks are read on one
    /// thread before the next split: a reader whose order changes in most chunks (pretty-printed JSON, VPC
    /// records with TCP flags) soon reads in order without paying for a second reading.
    var discards = 0
    var pause = 0

    init(driver: IngestDriver, source src: InputSource, reader: R, onIssue: @escaping (InputIssue) -> Void,
         commit: @escaping (IngestDriver.Chunk) throws -> Void) {
        self.driver = driver
        self.src = src
        self.reader = reader
        sink = IssueSink(display: src.display, onIssue: onIssue)
        self.commit = commit
        isStream = !src.isRegular
        agg = FlowAggregator(bucketWidth: driver.bucketWidth)
        for l in driver.listening { agg.declareListening(l.endpoint, proto: l.proto, port: l.port) }
        agg.dedupe = driver.dedupe
        agg.localCluster = driver.localCluster
        worker = driver.threads >= 2 && driver.dedupe == nil
            ? reader.makeParallelReader().map { LineWorker(reader: $0) } : nil
        worker?.agg.bucketWidth = driver.bucketWidth
        worker?.agg.localCluster = driver.localCluster
        lines = LineBuffer(capacity: driver.chunkBytes, maxLineBytes: driver.maxLineBytes)
        batch = BatchPolicy(flows: driver.batchFlows, seconds: driver.batchSeconds)
        meter = ProgressMeter(enabled: driver.progress.isOn, display: src.display, total: src.size)
        decoded = src.resumed?.offset ?? 0
    }

    mutating func close() {
        meter.finish()
        src.settleHash()  // the hash may still read the buffer (an error ended the read)
        lines.deallocate()
        spare?.deallocate()
    }

    func issue(_ line: Int, _ field: String, _ message: String) { sink.report(line, field, message) }

    /// Hands out the batch gathered so far (with the content hash and the resume point on a file's last one).
    mutating func commitBatch(final: Bool) throws {
        agg.countBytes(Int(src.rawBytes - bytesCounted))
        bytesCounted = src.rawBytes
        if let w = worker {
            agg.absorb(w.agg)
            w.agg.resetBatch()
        }
        var (b, c) = agg.take()
        acceptedBefore += c.accepted
        rejectedBefore += c.rejected
        meter.carried = acceptedBefore
        if let d = driver.dedupe {
            b.seenFlows = d.drain()
            b.dedupeWindow = d.window
        }
        let hashed = final && src.hashing
        let resume = hashed
            ? ResumeRecord(rawLength: Int64(src.hash.length), offset: resumeOffset, readerState: reader.resumeState,
                           headHash: "sha256:" + src.head.hex, resumedFrom: src.resumed)
            : nil
        try commit(IngestDriver.Chunk(batch: b, counts: c, contentHash: hashed ? src.hash.hex : nil, isFinal: final,
                                      legacyContentHash: hashed && src.legacyHash ? src.hash.legacyHex : nil, resume: resume))
        batch.committed()
    }

    /// Reads the complete lines in the buffer's first `end` bytes.
    mutating func process(_ end: Int) throws {
        batch.startIfNeeded()
        let region = UnsafeRawBufferPointer(start: lines.base, count: end)
        if isStream {
            // One thread, so a batch ends exactly after its batchFlows-th flow.
            var offset = 0
            while offset < end {
                let r = readLines(UnsafeRawBufferPointer(rebasing: region[offset..<end]), reader: &reader,
                                  agg: &agg, lineBase: lineNo, recordStart: &recordStart, issue: sink.report,
                                  limit: batch.room)
                lineNo += r.lines
                batch.sinceCommit += r.accepted
                offset += r.consumed
                meter.update(source: src, flows: agg.runningCounts.accepted,
                             rejected: agg.runningCounts.rejected + rejectedBefore)
                if batch.isFull {
                    try commitBatch(final: false)
                    if offset < end { batch.startIfNeeded() }
                }
            }
            return
        }
        if pause > 0 {
            pause -= 1
        } else if let w = worker, end >= 1 << 20, try processSplit(region, w) {
            return
        }
        let r = readLines(region, reader: &reader, agg: &agg, lineBase: lineNo, recordStart: &recordStart,
                          issue: sink.report)
        lineNo += r.lines
        batch.sinceCommit += r.accepted
        meter.update(source: src, flows: agg.runningCounts.accepted + (worker?.agg.runningCounts.accepted ?? 0),
                     rejected: agg.runningCounts.rejected + (worker?.agg.runningCounts.rejected ?? 0))
    }

    /// Splits a region at a newline; the second part goes to the worker, which runs on the content hash's thread
    /// after the hash of the bytes read so far (`InputSource.afterHash`), so a hashed file keeps two threads busy
    /// on two cores: the main thread parses `share` of the region, the other hashes it all and parses the rest.
    /// `share` follows which side finished last, so the two end together (the hash's cost per byte, the reader's
    /// and what else the cores run decide it). False when there is no newline to split at. What is read does not
    /// depend on the split (the halves are absorbed before commit; issues keep their line numbers).
    mutating func processSplit(_ region: UnsafeRawBufferPointer, _ w: LineWorker<R>) throws -> Bool {
        let end = region.count
        let mid = Int(Double(end) * share)
        guard let nl = memchr(lines.base + mid, 0x0A, end - mid) else { return false }
        let split = UnsafeMutableRawPointer(nl) - UnsafeMutableRawPointer(lines.base) + 1
        w.region = UnsafeRawBufferPointer(rebasing: region[split..<end])
        // An ordered reader's worker starts from the order in effect before the main share; `join` checks that the
        // main share left it so (else the worker's lines are read again below, in order).
        let order = reader.order
        if reader.isOrdered { w.reader.start(from: order) }
        let group = DispatchGroup()
        let box = UnsafeSendable<any RegionRunner>(w)
        let started = now()
        src.afterHash(group) { box.value.run() }
        let first = readLines(UnsafeRawBufferPointer(rebasing: region[0..<split]), reader: &reader,
                              agg: &agg, lineBase: lineNo, recordStart: &recordStart, issue: sink.report)
        // The next chunk is read now, into the spare buffer after this one's partial last line, so the read's copy
        // overlaps the worker instead of leaving a core idle; `share` then counts it on the main side. Its hash is
        // queued behind the worker (the queue is serial), so the worker's end means this chunk's hash is done and
        // this buffer may be reused; the new one is settled as any other before it changes (`readAll`).
        do {
            if driver.readAhead && readAhead == nil {
                var b = spare ?? LineBuffer(capacity: lines.capacity, maxLineBytes: driver.maxLineBytes)
                b.takeTail(of: lines, after: end)
                let (into, room) = b.free
                readAhead = try src.read(into: into, max: room, timeoutMS: -1)
                spare = b
            }
        } catch {
            group.wait()  // the worker still reads this buffer
            throw error
        }
        let mainDone = now()
        group.wait()
        var second = (lines: w.lines, accepted: w.accepted, consumed: 0)
        var reread = false
        if reader.isOrdered {
            // The worker's share is absorbed per chunk, so a dropped one leaves nothing behind.
            if reader.join(&w.reader, since: order) {
                agg.absorb(w.agg)
                if w.recordStart != 0 { recordStart = lineNo + first.lines + w.recordStart }
            } else {
                reread = true
                w.issues.removeAll(keepingCapacity: true)
                second = readLines(w.region, reader: &reader, agg: &agg, lineBase: lineNo + first.lines,
                                   recordStart: &recordStart, issue: sink.report)
                discards += 1
                pause = 1 << min(discards, 8)
            }
            w.agg.resetBatch()
        }
        if !reread { share = Self.nextShare(share, main: mainDone - started, worker: w.finished - started) }
        if var b = spare, readAhead != nil {
            swap(&lines, &b)
            spare = b
            swapped = true
        }
        lineNo += first.lines
        for i in w.issues { issue(lineNo + i.line, i.field, i.message) }
        lineNo += second.lines
        batch.sinceCommit += first.accepted + second.accepted
        w.issues.removeAll(keepingCapacity: true)
        meter.update(source: src, flows: agg.runningCounts.accepted + w.agg.runningCounts.accepted,
                     rejected: agg.runningCounts.rejected + w.agg.runningCounts.rejected)
        return true
    }

    /// The main thread's next share of a split region: moved towards the side that finished last by half the
    /// relative difference, kept within 5–95% (each side always gets some lines, so a slow phase is noticed).
    static func nextShare(_ share: Double, main: Double, worker: Double) -> Double {
        let total = main + worker
        guard total > 0 else { return share }
        return min(0.95, max(0.05, share + 0.5 * share * (1 - share) * 4 * (worker - main) / total))
    }

    /// Reads the input to its end (or the stop descriptor), committing a stream's batches as they fill or age.
    mutating func readAll() throws {
        while true {
            if lines.isFull { src.settleHash() }  // growing moves the bytes; dropping them overwrites them
            if lines.isFull && !lines.makeRoom() {
                // A line longer than the buffer may grow to: counted, rejected, skipped to its newline.
                lineNo += 1
                agg.countLine()
                agg.countRejected()
                issue(lineNo, "", "line longer than \(driver.maxLineBytes >> 20) MiB; skipped")
                longLineStart = decoded - Int64(lines.capacity)
            }
            var timeout = -1
            if isStream, let left = batch.secondsLeft {
                if left <= 0, batch.sinceCommit > 0 || agg.runningCounts.lines > 0 {
                    try commitBatch(final: false)
                    continue
                }
                timeout = max(0, Int(left * 1000) + 1)
            }
            let n: Int
            let got: InputSource.ReadResult
            if let a = readAhead {
                got = a
                readAhead = nil
            } else {
                let (into, room) = lines.free
                got = try src.read(into: into, max: room, timeoutMS: timeout)
            }
            switch got {
            case .data(let k):
                n = k
                decoded += Int64(k)
            case .end: return
            case .timeout: continue
            }
            // Only complete lines are read; the tail waits for the next read. The content hash reads the same
            // bytes meanwhile (`InputSource.read`): settled before they move.
            if lines.skipping { src.settleHash() }  // the rest of an over-long line is dropped in place
            guard let end = lines.appended(n) else { continue }
            try process(end)
            if swapped {
                swapped = false  // the lines read are in the other buffer, settled by the worker's end
            } else {
                src.settleHash()
                lines.consume(end)
            }
            if isStream, let left = batch.secondsLeft, left <= 0,
               batch.sinceCommit > 0 || agg.runningCounts.lines > 0 {
                try commitBatch(final: false)
            }
        }
    }

    /// The input ended: its last line without a newline, a gzip problem, a record left open, the last batch.
    mutating func finishInput() throws {
        // A last line without a newline counts when it reads as a record; a half line (a writer still appending)
        // is rejected, and the recorded end stops before it, so a later read of the file grown reads it whole.
        resumeOffset = lines.skipping ? longLineStart : decoded
        if lines.count > 0 && !lines.skipping {
            let before = sink.count
            let held = lines.count
            try process(lines.terminateLastLine())
            if sink.count > before || recordStart != 0 { resumeOffset = decoded - Int64(held) }
        }
        if let problem = src.gzipProblem {
            // The readable part was read and is kept; the rest is reported once, after its last line.
            agg.countRejected()
            issue(lineNo + 1, "", problem)
        }
        if let last = reader.finish(into: &agg) {
            // An unfinished multi-line record at the end of the input: where it started is not kept, so a later
            // read of this file grown cannot go on from here.
            resumeOffset = nil
            agg.countLine()
            switch last {
            case .accepted: batch.sinceCommit += 1
            case .skipped: agg.countSkipped()
            case .rejected(let field, let message):
                agg.countRejected()
                issue(recordStart != 0 ? recordStart : lineNo, field, message)
            case .pending: agg.countRejected()
            }
            recordStart = 0
        }
        try commitBatch(final: true)
    }
}

/// Counts the issues of one run and hands them to the caller's `onIssue`.
final class IssueSink {
    let display: String
    let onIssue: (InputIssue) -> Void
    private(set) var count = 0

    init(display: String, onIssue: @escaping (InputIssue) -> Void) {
        self.display = display
        self.onIssue = onIssue
    }

    func report(_ line: Int, _ field: String, _ message: String) {
        count += 1
        onIssue(InputIssue(file: display, line: line, field: field, message: message))
    }
}

/// Seconds on a monotonic clock.
@inline(__always) func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// Reads complete lines (each ends with '\n'), stopping after `limit` accepted flows. Returns how many lines
/// (blank ones included, for numbering), how many were accepted flows, and how many bytes were consumed.
@inline(__always)
func readLines<R: LineReader>(_ region: UnsafeRawBufferPointer, reader: inout R, agg: inout FlowAggregator,
                              lineBase: Int, recordStart: inout Int, issue: (Int, String, String) -> Void,
                              limit: Int = .max) -> (lines: Int, accepted: Int, consumed: Int) {
    guard let base = region.baseAddress, region.count > 0 else { return (0, 0, 0) }
    let p = base.assumingMemoryBound(to: UInt8.self)
    let n = region.count
    var start = 0
    var lines = 0
    var accepted = 0
    while start < n {
        let end: Int
        if let nl = memchr(p + start, 0x0A, n - start) {
            end = UnsafeRawPointer(nl) - base
        } else {
            end = n
        }
        lines += 1
        var stop = end
        if stop > start && p[stop - 1] == 0x0D { stop -= 1 }
        let first = stop > start ? p[start] : 0x20
        var blank = false
        if first != 0x7B {
            blank = true
            var i = start
            while i < stop {
                let c = p[i]
                if c != 0x20 && c != 0x09 { blank = false; break }
                i += 1
            }
        }
        if !blank {
            let result = reader.read(line: UnsafeRawBufferPointer(start: p + start, count: stop - start), into: &agg)
            if case .pending = result {
                // A record spanning lines: counted once when it ends, located at its first line.
                if recordStart == 0 { recordStart = lineBase + lines }
            } else {
                let at = recordStart != 0 ? recordStart : lineBase + lines
                recordStart = 0
                agg.countLine()
                switch result {
                case .accepted:
                    accepted += 1
                    if accepted >= limit { return (lines, accepted, min(end + 1, n)) }
                case .skipped: agg.countSkipped()
                case .rejected(let field, let message):
                    agg.countRejected()
                    issue(at, field, message)
                case .pending: break
                }
            }
        }
        start = end + 1
    }
    return (lines, accepted, n)
}

/// The second thread's state: its own reader and aggregator, and the issues it found (line numbers relative
/// to its region).
protocol RegionRunner: AnyObject {
    func run()
}

final class LineWorker<R: LineReader>: RegionRunner, @unchecked Sendable {
    var reader: R
    var agg = FlowAggregator()
    var region = UnsafeRawBufferPointer(start: nil, count: 0)
    var issues: [(line: Int, field: String, message: String)] = []
    var lines = 0
    var accepted = 0
    /// The first line (in the region) of a record still open at the region's end, 0 when none.
    var recordStart = 0
    /// When the last `run` ended (`now()`), for the split's balance.
    var finished = 0.0

    init(reader: R) { self.reader = reader }

    func run() {
        var found: [(line: Int, field: String, message: String)] = []
        var start = 0  // only ordered readers return .pending (the main side checks where the region starts)
        let r = readLines(region, reader: &reader, agg: &agg, lineBase: 0, recordStart: &start) {
            found.append(($0, $1, $2))
        }
        recordStart = start
        issues = found
        lines = r.lines
        accepted = r.accepted
        finished = now()
    }
}

func writeStderr(_ s: String) {
    var t = s
    t.withUTF8 { p in _ = write(2, p.baseAddress, p.count) }
}

/// `\r`-rewritten status line on stderr: decompressed bytes (with how far into a gzip file), MB/s, flows/s,
/// rejects, and for a stream the time it has run. Silent unless enabled; at most two updates a second.
struct ProgressMeter {
    let enabled: Bool
    let display: String
    let total: Int64
    /// Flows of batches already committed (a stream's aggregator restarts per batch).
    var carried: Int64 = 0
    private let started = now()
    private var lastPrint = 0.0
    private var printed = false

    init(enabled: Bool, display: String, total: Int64) {
        self.enabled = enabled
        self.display = display
        self.total = total
    }

    mutating func update(source src: InputSource, flows: Int64, rejected: Int64) {
        guard enabled else { return }
        let t = now()
        guard t - lastPrint >= 0.5 else { return }
        lastPrint = t
        let dt = max(t - started, 1e-3)
        let mb = Double(src.decodedBytes) / 1e6
        var s = "\r\(display): \(fmt(mb)) MB"
        if total > 0 {
            if src.isGzip {
                s += " (gzip, \(Int(Double(src.rawBytes) * 100 / Double(total)))% of the file)"
            } else {
                s += " / \(fmt(Double(total) / 1e6)) MB"
            }
        }
        let all = flows + carried
        s += "  \(fmt(mb / dt)) MB/s  \(all) flows  \(Int(Double(all) / dt)) flows/s  \(rejected) rejected"
        if total == 0 { s += "  \(Int(dt))s" }
        writeStderr(s + "\u{1B}[K")
        printed = true
    }

    mutating func finish() {
        if enabled && printed { writeStderr("\r\u{1B}[K") }
    }

    private func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return String(r)
    }
}
