import Foundation
import TestSupport
import Testing
import FlowModel
import FlowStore

#if canImport(Glibc)
import Glibc
#endif

/// `hubble observe --follow | flowmap ingest -`, killed with SIGKILL in the middle of the stream: the store
/// opens, and holds exactly the whole batches committed before the kill (each batchFlows flows, together the
/// first lines of the stream), never a part of the batch that was being read.
@Suite("Stream ingest killed mid-stream", .serialized)
struct StreamCrashTests {
    static var flowmap: String { Repository.flowmap }

    /// Line i is the only flow of its edge: web-(i / 40000) -> db, TCP port 1 + i % 40000.
    static func line(_ i: Int) -> String {
        var l = FlowLine()
        l.src = #"{"namespace":"shop","labels":["k8s:app=web"],"pod_name":"web\#(i / 40000)-0","workloads":[{"name":"web\#(i / 40000)","kind":"StatefulSet"}]}"#
        l.l4 = #"{"TCP":{"source_port":40000,"destination_port":\#(1 + i % 40000),"flags":{"SYN":true}}}"#
        return l.json + "\n"
    }

    @Test("SIGKILL mid-stream: the store holds whole batches only, and they are the stream's first lines")
    func killMidStream() throws {
        signal(SIGPIPE, SIG_IGN)
        let batch = 2_000
        let dir = Fixtures.tempDir()
        let db = dir.appendingPathComponent("stream.db").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.flowmap)
        p.arguments = ["ingest", "--db", db, "--batch-flows", String(batch), "-"]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let fd = input.fileHandleForWriting.fileDescriptor
        let total = 400_000
        // The writer must be finished before the pipe's descriptor is closed: a write on a closed descriptor number
        // can land in whatever the process opens next (here: the store being checked).
        let writerDone = DispatchSemaphore(value: 0)
        let writer = Thread {
            defer { writerDone.signal() }
            var i = 0
            while i < total {
                var chunk = ""
                for k in i..<min(i + 97, total) { chunk += Self.line(k) }  // odd size: reads end mid-batch
                i += 97
                let ok = chunk.withCString { c -> Bool in
                    var off = 0
                    let n = strlen(c)
                    while off < n {
                        let w = write(fd, c + off, n - off)
                        if w <= 0 { return false }
                        off += w
                    }
                    return true
                }
                if !ok { return }
            }
        }
        writer.start()
        // Wait until a few batches are committed, then kill while the stream is still flowing.
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        while committed < 3 && Date() < deadline && p.isRunning {
            usleep(50_000)
            // One stream is one source (schema 7); its accepted count grows by a batch per commit.
            if FileManager.default.fileExists(atPath: db), let s = try? FlowStore(path: db).sources() {
                committed = Int(s.reduce(0) { $0 + $1.counts.accepted }) / batch
            }
        }
        let wasRunning = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        // The reader is gone, so the next write fails with EPIPE and the writer returns.
        if writerDone.wait(timeout: .now() + 60) == .success {
            try? input.fileHandleForWriting.close()
        } else {
            Issue.record("the stream writer did not stop after the kill (descriptor left open)")
        }
        #expect(wasRunning, "flowmap finished before the kill; make the stream longer")
        #expect(committed >= 3, "no batches committed within the deadline")

        let store = try FlowStore(path: db)
        #expect(try store.integrityCheck() == ["ok"])
        let sources = try store.sources()
        #expect(sources.count == 1, "one stream is one source")
        #expect(sources.allSatisfy { $0.counts.accepted % Int64(batch) == 0 && $0.counts.accepted >= 3 * Int64(batch) },
                "a batch of another size was stored")
        let flows = sources.reduce(0) { $0 + Int($1.counts.accepted) }
        let edges = try store.edges()
        #expect(edges.count == flows, "edges do not match the committed batches")
        let expected = Set((0..<flows).map { i in "web\(i / 40000):\(1 + i % 40000)" })
        let got = Set(edges.map { "\($0.key.source.name):\($0.key.port)" })
        #expect(got == expected, "the store is not exactly the first \(flows) lines of the stream")
        #expect(edges.allSatisfy { $0.stats.flows == 1 })
    }
}
