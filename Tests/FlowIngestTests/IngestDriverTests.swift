import Foundation
import Testing
@testable import FlowIngest
import FlowModel

#if canImport(Glibc)
import Glibc
#endif

@Suite("Ingest driver")
struct IngestDriverTests {
    static let tcpSample = Fixtures.hubbleSamples.first { $0.lastPathComponent == "basic-sample-400-tcp-flows.json" }!

    static func merged(_ chunks: [IngestDriver.Chunk]) -> IngestCounts {
        var c = IngestCounts()
        for ch in chunks { c.add(ch.counts) }
        return c
    }

    @Test("a gzip file (and concatenated gzip members) reads like the plain file")
    func gzip() throws {
        let plain = try drive(Self.tcpSample.path)
        let gz = try drive(Fixtures.url("basic-sample-400-tcp-flows.json.gz").path)
        let two = try drive(Fixtures.url("two-members.json.gz").path)
        #expect(plain.chunks.count == 1)
        #expect(gz.chunks.count == 1)
        #expect(gz.chunks[0].batch.edges == plain.chunks[0].batch.edges)
        #expect(two.chunks[0].batch.edges == plain.chunks[0].batch.edges)
        #expect(gz.chunks[0].counts.accepted == 400)
        #expect(two.chunks[0].counts.accepted == 400)
        #expect(gz.issues.isEmpty && two.issues.isEmpty)
        #expect(gz.chunks[0].contentHash != nil && gz.chunks[0].contentHash != plain.chunks[0].contentHash)
    }

    @Test("a truncated gzip keeps what decompressed and reports the rest after its last line, never silently")
    func truncatedGzip() throws {
        let data = try Data(contentsOf: Fixtures.url("basic-sample-400-tcp-flows.json.gz"))
        let u = Fixtures.tempDir().appendingPathComponent("cut.json.gz")
        try data.prefix(data.count / 2).write(to: u)
        let r = try drive(u.path)
        let c = Self.merged(r.chunks)
        #expect(c.accepted > 100 && c.accepted < 400, "\(c)")
        let last = try #require(r.issues.last)
        #expect(last.message.contains("truncated") && last.line == Int(c.lines) + 1, "\(r.issues)")
        #expect(c.rejected >= 1)
    }

    @Test("a gzip with trailing garbage keeps every line and reports the garbage once")
    func gzipTrailingGarbage() throws {
        var data = try Data(contentsOf: Fixtures.url("basic-sample-400-tcp-flows.json.gz"))
        data.append(contentsOf: Array("this is not gzip\n".utf8))
        let u = Fixtures.tempDir().appendingPathComponent("tail.json.gz")
        try data.write(to: u)
        let r = try drive(u.path)
        let plain = try drive(Self.tcpSample.path)
        #expect(r.chunks.last?.batch.edges == plain.chunks[0].batch.edges)
        #expect(r.issues.count == 1 && r.issues[0].message.contains("not gzip"), "\(r.issues)")
        #expect(Self.merged(r.chunks).accepted == 400)
    }

    @Test("files: one batch, content hash independent of chunk size; threads do not change the result")
    func chunkingAndThreads() throws {
        // Big enough for the two-thread split (> 1 MiB per read).
        let lines = Fixtures.hubbleSamples.flatMap { Fixtures.lines($0) }
        var text = ""
        for _ in 0..<3 { text += lines.joined(separator: "\n") + "\n" }
        let u = Fixtures.tempDir().appendingPathComponent("big.json")
        try text.write(to: u, atomically: true, encoding: .utf8)
        let one = try drive(u.path, driver: IngestDriver(threads: 1, progress: .off))
        let two = try drive(u.path, driver: IngestDriver(chunkBytes: 3 << 20, threads: 2, progress: .off))
        let small = try drive(u.path, driver: IngestDriver(chunkBytes: 1 << 16, threads: 2, progress: .off))
        for r in [one, two, small] {
            #expect(r.chunks.count == 1)
            #expect(r.chunks[0].isFinal)
        }
        #expect(two.chunks[0].batch.edges == one.chunks[0].batch.edges)
        #expect(small.chunks[0].batch.edges == one.chunks[0].batch.edges)
        #expect(two.chunks[0].batch.labelSets == one.chunks[0].batch.labelSets)
        #expect(two.chunks[0].counts == one.chunks[0].counts)
        #expect(one.chunks[0].counts.lines == Int64(lines.count * 3))
        #expect(one.chunks[0].counts.bytes == Int64(text.utf8.count))
        #expect(two.chunks[0].contentHash == one.chunks[0].contentHash)
        #expect(small.chunks[0].contentHash == one.chunks[0].contentHash)
        // The hash computed beside the reading (BackgroundHash) is that of the file's bytes, in one piece.
        var direct = ContentHash()
        Array(text.utf8).withUnsafeBytes { direct.update($0) }
        #expect(text.utf8.count > 2 << 20, "several of BackgroundHash's 1 MiB blocks")
        #expect(one.chunks[0].contentHash == direct.hex)
        #expect(one.chunks[0].legacyContentHash == direct.legacyHex)
        #expect(one.chunks[0].resume?.rawLength == Int64(text.utf8.count))
    }

    @Test("the content hash is of the file's bytes where reading moves or rewrites them (hashed in place)",
          arguments: ["bom", "array", "long line", "grown buffer"])
    func hashInPlace(_ kind: String) throws {
        // A plain file is hashed in the line buffer while it is parsed (BackgroundHash borrowing): each place
        // that moves or rewrites those bytes must wait for the hash first, or the hash is of other bytes.
        let lines = Fixtures.lines(Self.tcpSample)
        var bytes: [UInt8]
        switch kind {
        case "bom": bytes = [0xEF, 0xBB, 0xBF] + Array((lines + lines).joined(separator: "\n").utf8) + [0x0A]
        case "array": bytes = Array(("[" + (lines + lines).joined(separator: ",\n") + "]\n").utf8)
        case "long line":
            let long = #"{"flow":{"x":""# + String(repeating: "a", count: 300_000) + #""}}"#
            bytes = Array(([lines[0], long] + lines).joined(separator: "\n").utf8) + [0x0A]
        default:  // one line longer than the buffer: the buffer grows, keeping the bytes read so far
            let long = #"{"flow":{"x":""# + String(repeating: "b", count: 200_000) + #""}}"#
            bytes = Array((lines + [long] + lines).joined(separator: "\n").utf8) + [0x0A]
        }
        let u = Fixtures.tempDir().appendingPathComponent("inplace.json")
        try Data(bytes).write(to: u)
        var direct = ContentHash()
        bytes.withUnsafeBytes { direct.update($0) }
        for threads in [1, 2] {
            var d = IngestDriver(maxLineBytes: kind == "long line" ? 1 << 17 : 64 << 20, chunkBytes: 1 << 16,
                                 threads: threads, progress: .off)
            let r = try drive(u.path, driver: d)
            #expect(r.chunks.last?.contentHash == direct.hex, "\(kind), \(threads) thread(s)")
            #expect(r.chunks.last?.legacyContentHash == direct.legacyHex, "\(kind), \(threads) thread(s)")
            #expect(Self.merged(r.chunks).accepted >= Int64(lines.count), "\(kind): \(r.issues.prefix(3))")
            // Without the legacy hash (a store with no legacy rows): the same content hash, no legacy one.
            d.legacyHash = false
            let n = try drive(u.path, driver: d)
            #expect(n.chunks.last?.contentHash == direct.hex)
            #expect(n.chunks.last?.legacyContentHash == nil)
        }
    }

    @Test("rejected lines are reported with their line numbers, in order, across reads and threads")
    func issueLineNumbers() throws {
        let good = Fixtures.lines(Self.tcpSample)
        var out: [String] = []
        var bad: [Int] = []
        for i in 0..<4000 {
            if i % 397 == 5 {
                out.append(#"{"flow":{"time":"not a time"}}"#)
                bad.append(i + 1)
            } else if i % 500 == 7 {
                out.append("   ")  // blank: numbered, not counted
            } else {
                out.append(good[i % good.count])
            }
        }
        let u = Fixtures.tempDir().appendingPathComponent("bad.json")
        try (out.joined(separator: "\r\n")).write(to: u, atomically: true, encoding: .utf8)  // CRLF, no final newline
        for driver in [IngestDriver(chunkBytes: 1 << 16, threads: 2, progress: .off),
                       IngestDriver(chunkBytes: 2 << 20, threads: 2, progress: .off),
                       IngestDriver(threads: 1, progress: .off)] {
            let r = try drive(u.path, driver: driver)
            #expect(r.issues.map(\.line) == bad)
            #expect(r.issues.allSatisfy { $0.field == "flow.time" && $0.file == u.path })
            let c = Self.merged(r.chunks)
            #expect(c.rejected == Int64(bad.count))
            #expect(c.lines == Int64(4000 - 8))
        }
    }

    @Test("a line longer than the limit is rejected and skipped; the next line still reads")
    func longLine() throws {
        let good = Fixtures.lines(Self.tcpSample)[0]
        let long = #"{"flow":{"x":""# + String(repeating: "a", count: 300_000) + #""}}"#
        let u = Fixtures.tempDir().appendingPathComponent("long.json")
        try ([good, long, good].joined(separator: "\n") + "\n").write(to: u, atomically: true, encoding: .utf8)
        let r = try drive(u.path, driver: IngestDriver(maxLineBytes: 1 << 17, chunkBytes: 1 << 16, progress: .off))
        #expect(r.issues.map(\.line) == [2])
        #expect(r.issues.first?.message.contains("longer than") == true)
        #expect(Self.merged(r.chunks).accepted == 2)
    }

    @Test("missing file and directory are open failures")
    func openFailures() {
        #expect(throws: IngestDriver.Failure.self) { try drive("/nonexistent/flows.json") }
        #expect(throws: IngestDriver.Failure.self) { try drive(Fixtures.dir.path) }
    }

    /// Feeds `lines` into a pipe the driver reads as stdin; `pauseAfter` lines, the writer waits `pause` seconds.
    static func stream(_ lines: [String], driver: IngestDriver, pauseAfter: Int? = nil, pause: Double = 0,
                       chunkCallback: @escaping (IngestDriver.Chunk) -> Void = { _ in }) throws
        -> [IngestDriver.Chunk] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let wfd = fds[1]
        let writer = Thread {
            var i = 0
            for line in lines {
                var l = line + "\n"
                l.withUTF8 { p in
                    var off = 0
                    while off < p.count { off += write(wfd, p.baseAddress! + off, p.count - off) }
                }
                i += 1
                if i == pauseAfter { usleep(UInt32(pause * 1_000_000)) }
            }
            close(wfd)
        }
        writer.start()
        var d = driver
        d.stdinDescriptor = fds[0]
        var reader = HubbleReader()
        var chunks: [IngestDriver.Chunk] = []
        try d.run(path: "-", reader: &reader, onIssue: { _ in }) { c in
            chunks.append(c)
            chunkCallback(c)
        }
        close(fds[0])
        return chunks
    }

    @Test("stdin: a batch boundary every N flows, at line boundaries; batches add up to the whole")
    func stdinBatches() throws {
        let lines = Fixtures.lines(Self.tcpSample)
        let chunks = try Self.stream(lines + lines, driver: IngestDriver(batchFlows: 150, batchSeconds: 3600, progress: .off))
        #expect(chunks.count >= 5)
        #expect(chunks.last?.isFinal == true)
        #expect(chunks.dropLast().allSatisfy { !$0.isFinal && $0.contentHash == nil })
        let total = Self.merged(chunks)
        #expect(total.accepted == 800)
        #expect(total.lines == 800)
        #expect(chunks.dropLast().allSatisfy { $0.counts.accepted == 150 })  // exact batch size
        // Every edge of the file shows up, and its flows add up over the batches.
        let whole = try drive(Self.tcpSample.path).chunks[0].batch.edges
        var sum: [EdgeKey: Int64] = [:]
        for c in chunks { for (k, v) in c.batch.edges { sum[k, default: 0] += v.flows } }
        #expect(Set(sum.keys) == Set(whole.keys))
    }

    @Test("stdin: a quiet stream still commits its partial batch after batchSeconds")
    func stdinTimedBatch() throws {
        let lines = Array(Fixtures.lines(Self.tcpSample).prefix(20))
        var arrivals: [Int64] = []
        let chunks = try Self.stream(lines, driver: IngestDriver(batchFlows: 1_000_000, batchSeconds: 0.2, progress: .off),
                                     pauseAfter: 10, pause: 2.0) { arrivals.append($0.counts.accepted) }
        // Lines of the first burst are committed while the writer is still paused, before end of input
        // (normally all 10 in one batch; a heavily loaded machine may split the burst).
        #expect(chunks.count >= 2)
        #expect((1...10).contains(arrivals.first ?? 0))
        #expect(chunks.first?.isFinal == false)
        #expect(Self.merged(chunks).accepted == 20)
    }

    @Test("stdin may be gzip too")
    func stdinGzip() throws {
        let data = try Data(contentsOf: Fixtures.url("two-members.json.gz"))
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let wfd = fds[1]
        let writer = Thread {
            data.withUnsafeBytes { p in
                var off = 0
                while off < p.count { off += write(wfd, p.baseAddress! + off, p.count - off) }
            }
            close(wfd)
        }
        writer.start()
        var d = IngestDriver(progress: .off)
        d.stdinDescriptor = fds[0]
        var reader = HubbleReader()
        var total = IngestCounts()
        try d.run(path: "-", reader: &reader, onIssue: { _ in }) { total.add($0.counts) }
        close(fds[0])
        #expect(total.accepted == 400)
    }
}

@Suite("Format detection sees through gzip")
struct GzipDetectionTests {
    @Test("the prefix of a .gz file is its decompressed text, so --format auto works on it")
    func gzipPrefix() throws {
        let gz = try #require(FormatDetector.prefix(ofFile: Fixtures.url("basic-sample-400-tcp-flows.json.gz").path))
        let plain = try #require(FormatDetector.prefix(ofFile: IngestDriverTests.tcpSample.path))
        #expect(gz.count == plain.count)
        #expect(gz == plain)
        #expect(FormatDetector.detect(prefix: gz)?.format == .hubble)
        #expect(FormatDetector.prefix(ofFile: "/nonexistent/x.gz") == nil)
    }
}

@Suite("Read-ahead of the next chunk")
struct ReadAheadTests {
    /// The next chunk is read into a second buffer while the worker parses (IngestDriver.readAhead): each chunk
    /// starts with the one before's partial last line. Every shape where that could lose, repeat or split a
    /// line is read with and without it, at chunk sizes that put the seams in different places.
    @Test("read-ahead reads what reading after both threads reads: flows, counts, issue lines, content hash",
          arguments: ["plain", "crlf and blanks", "rejected lines", "long lines", "gzip", "bom", "no final newline"])
    func sameAsWithout(_ kind: String) throws {
        let good = IngestDriverTests.tcpSample
        let lines = Fixtures.lines(good)
        var out: [String] = []
        for i in 0..<12_000 {
            switch kind {
            case "rejected lines" where i % 997 == 3: out.append(#"{"flow":{"time":"not a time"}}"#)
            case "crlf and blanks" where i % 611 == 9: out.append("  ")
            case "long lines" where i % 1500 == 11:
                out.append(#"{"flow":{"x":""# + String(repeating: "z", count: 700_000) + #""}}"#)
            default: out.append(lines[i % lines.count])
            }
        }
        let sep = kind == "crlf and blanks" ? "\r\n" : "\n"
        var bytes = Array(out.joined(separator: sep).utf8)
        if kind != "no final newline" { bytes += Array(sep.utf8) }
        if kind == "bom" { bytes = [0xEF, 0xBB, 0xBF] + bytes }
        var u = Fixtures.tempDir().appendingPathComponent("ahead.json")
        try Data(bytes).write(to: u)
        if kind == "gzip" {
            let gz = u.appendingPathExtension("gz")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip -c '\(u.path)' > '\(gz.path)'"]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            u = gz
        }
        #expect(bytes.count > 6 << 20, "several chunks of every size below")
        var direct = ContentHash()
        try Data(contentsOf: u).withUnsafeBytes { direct.update($0) }
        let reference = try drive(u.path, driver: IngestDriver(threads: 1, progress: .off))
        for chunk in [(3 << 20) / 2, 2 << 20, 3 << 20 + 12_345] {
            for ahead in [true, false] {
                var d = IngestDriver(chunkBytes: chunk, threads: 2, progress: .off)
                d.readAhead = ahead
                let r = try drive(u.path, driver: d)
                let what = "\(kind), chunk \(chunk), read-ahead \(ahead)"
                #expect(r.chunks.count == 1, "\(what)")
                #expect(r.chunks.last?.batch.edges == reference.chunks.last?.batch.edges, "\(what)")
                #expect(r.chunks.last?.counts == reference.chunks.last?.counts, "\(what)")
                #expect(r.issues.map(\.line) == reference.issues.map(\.line), "\(what)")
                #expect(r.issues.map(\.message) == reference.issues.map(\.message), "\(what)")
                #expect(r.chunks.last?.contentHash == direct.hex, "\(what)")
                #expect(r.chunks.last?.resume?.offset == reference.chunks.last?.resume?.offset, "\(what)")
            }
        }
        if kind == "rejected lines" { #expect(reference.issues.count == 13) }
        if kind == "long lines" { #expect(reference.chunks.last?.counts.accepted ?? 0 > 11_000) }
    }
}

@Suite("Two-thread split balance")
struct SplitShareTests {
    /// One chunk of `P` parse work and `H` hash work: the main thread parses `share` of it, the other thread
    /// hashes it all and parses the rest. The controller must bring both to the same end time from any start.
    @Test("the split converges to both threads ending together, from any start, and stays within 5-95%",
          arguments: [0.05, 0.45, 0.7, 0.95])
    func converges(_ start: Double) {
        for (parse, hash) in [(8.0, 4.6), (8.0, 0.0), (3.0, 9.0), (10.0, 1.0)] {
            var share = start
            for _ in 0..<30 {
                let main = share * parse
                let worker = hash + (1 - share) * parse
                share = IngestRun<HubbleReader>.nextShare(share, main: main, worker: worker)
                #expect(share >= 0.05 && share <= 0.95)
            }
            let balanced = min(0.95, (hash + parse) / (2 * parse))
            #expect(abs(share - balanced) < 0.02, "parse \(parse), hash \(hash): \(share) vs \(balanced)")
        }
    }

    @Test("no time measured leaves the split as it is")
    func zeroTimes() {
        #expect(IngestRun<HubbleReader>.nextShare(0.6, main: 0, worker: 0) == 0.6)
    }
}
