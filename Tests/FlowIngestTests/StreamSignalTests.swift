import Foundation
import Testing
import FlowModel
import FlowStore

#if canImport(Glibc)
import Glibc
#endif

/// `hubble observe --follow | flowmap ingest -` ended with Ctrl-C (SIGINT) or SIGTERM: the batch in progress is
/// committed, the summary printed, and the exit status is an ordinary ingest's (0: nothing rejected).
@Suite("Stream ingest stopped by a signal", .serialized)
struct StreamSignalTests {
    @Test("SIGINT / SIGTERM mid-stream: every flow read before the signal is in the store, and the summary says so",
          arguments: [SIGINT, SIGTERM])
    func stopped(by sig: Int32) throws {
        signal(SIGPIPE, SIG_IGN)
        let dir = Fixtures.tempDir()
        let db = dir.appendingPathComponent("stream.db").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: StreamCrashTests.flowmap)
        // One batch far larger than the stream: only the signal can commit it (or the 5 s timer, on a slow machine).
        p.arguments = ["ingest", "--db", db, "--batch-flows", "1000000", "-"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        try p.run()
        let n = 3_000
        var text = ""
        for i in 0..<n { text += StreamCrashTests.line(i) }
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        // Confirmed read: the pipe holds nothing more (Linux answers FIONREAD on either end of a pipe; Process
        // closed our copy of the read end).
        let writeEnd = input.fileHandleForWriting.fileDescriptor
        let deadline = Date().addingTimeInterval(60)
        var left: Int32 = 1
        while Date() < deadline {
            left = 1
            _ = withUnsafeMutablePointer(to: &left) { ioctl(writeEnd, UInt(FIONREAD), $0) }
            if left == 0 { break }
            usleep(10_000)
        }
        #expect(left == 0, "flowmap did not read the stream")
        if left != 0 { p.terminate() }
        usleep(100_000)  // the lines are in its buffer; give it the moment to parse them, not needed for the result
        #expect(p.isRunning, "flowmap ended before the signal (the stream is still open)")
        kill(p.processIdentifier, sig)
        let pid = p.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { kill(pid, SIGKILL) }  // a hung flowmap fails the test
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? input.fileHandleForWriting.close()
        let said = String(decoding: out, as: UTF8.self)
        #expect(p.terminationReason == .exit, "killed by the signal instead of ending the stream: \(said)")
        #expect(p.terminationStatus == 0, "\(said)")
        #expect(said.contains("\(n) lines, \(n) accepted"), "\(said)")
        #expect(said.contains("stopped by \(sig == SIGINT ? "SIGINT" : "SIGTERM")"), "\(said)")

        let store = try FlowStore(path: db)
        let edges = try store.edges()
        #expect(edges.count == n, "flows read before the signal are missing from the store")
        let expected = Set((0..<n).map { i in "web\(i / 40000):\(1 + i % 40000)" })
        #expect(Set(edges.map { "\($0.key.source.name):\($0.key.port)" }) == expected)
        #expect(try store.sources().reduce(0) { $0 + $1.counts.accepted } == Int64(n))
    }
}
