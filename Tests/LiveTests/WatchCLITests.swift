import Foundation
import TestSupport
import Testing
import TestSupport
import FlowMapKit
import FlowModel
import FlowStore
import HubbleAPI
#if canImport(Glibc)
import Glibc
#endif

/// Issue 19's "done when", run as a user runs it: the built `flowmap` binary, `hubble observe -o jsonpb` lines
/// piped into `watch … -`, and `watch --hubble 127.0.0.1:PORT` against the in-process test server; both print
/// the connections `check` reports as breaking.
@Suite("flowmap watch (the binary)", .serialized)
struct WatchCLITests {
    static var flowmap: String { Repository.flowmap }

    /// `source -> destination proto/port` of each connection check says would break.
    static func expected(policies: String, capture: String, in dir: URL) throws -> Set<String> {
        let db = dir.appendingPathComponent("check-\(UUID().uuidString).db").path
        _ = try LiveSupport.ingest(capture, db: db)
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        return Set(check.report.denied.map { "\($0.source) -> \($0.destination) \($0.proto)/\($0.port)" })
    }

    /// The sample flows as a capture file beside the blocking policy set (in a fresh folder), and what `check`
    /// says they break.
    static func scenario() throws -> (flows: [(line: String, message: Observer_GetFlowsResponse)], dir: URL,
                                      policies: String, capture: String, expected: Set<String>) {
        let flows = try HubbleGRPCTests.sorted()
        let dir = LiveSupport.tempDir()
        let policies = LiveSupport.writePolicies(in: dir)
        let capture = LiveSupport.capture(flows.map(\.line), in: dir)
        return (flows, dir, policies, capture, try expected(policies: policies, capture: capture, in: dir))
    }

    /// The connections of `blocked` events in JSON Lines output, and the summary object.
    static func parse(_ jsonl: String) -> (blocked: Set<String>, summary: [String: Any]?) {
        var blocked = Set<String>()
        var summary: [String: Any]?
        for line in jsonl.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            switch o["event"] as? String {
            case "blocked":
                let port = o["port"] as? [String: Any] ?? [:]  // {"protocol", "port", "end_port"} as every verb's JSON
                blocked.insert("\(o["source"]!) -> \(o["destination"]!) \(port["protocol"] ?? "?")/\(port["port"] ?? "?")")
            case "summary": summary = o
            default: break
            }
        }
        return (blocked, summary)
    }

    @Test("cat CAPTURE | flowmap watch --policies P - prints what would be blocked (text and jsonl), exit 1")
    func stdin() throws {
        let (flows, dir, policies, capture, expected) = try Self.scenario()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(expected.count >= 7)
        func run(_ extra: [String]) throws -> (Int32, String, String) {
            try ProcessRunner.output("/bin/sh", ["-c", "cat '\(capture)' | '\(Self.flowmap)' watch --policies '\(policies)' "
                                                 + extra.joined(separator: " ") + " -"])
        }
        let (status, out, err) = try run(["--output", "jsonl"])
        #expect(status == 1, "\(err)")
        let (blocked, summary) = Self.parse(out)
        #expect(blocked == expected, "\(out.prefix(2000))")
        #expect(summary?["accepted"] as? Int == flows.count, "\(String(describing: summary))")
        let (textStatus, text, _) = try run([])
        #expect(textStatus == 1)
        for c in expected {
            let parts = c.split(separator: " ")
            #expect(text.contains("BLOCK      \(parts[0]) -> \(parts[2]) \(parts[3])"), "\(c): \(text.prefix(2000))")
        }
        #expect(text.contains("would be blocked"))
    }

    @Test("flowmap watch --hubble 127.0.0.1:PORT --since 2000d prints what would be blocked, stops on SIGINT with the summary")
    func hubble() async throws {
        let flows = try HubbleGRPCTests.sorted()
        // Hubble lost 7 + 5 events on the way (ring buffer overruns): counted and reported, never evaluated.
        var events = flows.map(\.message)
        events.insert(HubbleGRPCTests.lost(7), at: 10)
        events.insert(HubbleGRPCTests.lost(5), at: events.count - 3)
        let observer = FakeObserver(events: events)
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let policies = LiveSupport.writePolicies(in: dir)
        let expected = try Self.expected(policies: policies, capture: LiveSupport.capture(flows.map(\.line), in: dir),
                                         in: dir)
        #expect(expected.count >= 7)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.flowmap)
        // --since relative (issue 20): 2000 days back from now reaches before the oldest sample (2021-11).
        p.arguments = ["watch", "--policies", policies, "--hubble", server.address, "--since", "2000d",
                       "--output", "jsonl", "--batch-seconds", "0.2",
                       "--hubble-denylist", #"{"source_pod":["nowhere/"]}"#]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let started = Int64(Date().timeIntervalSince1970 * 1e9)
        try p.run()
        let pid = p.processIdentifier
        Thread.detachNewThread {  // a hung watch fails the test instead of hanging it
            Thread.sleep(forTimeInterval: 90)
            kill(pid, SIGKILL)
        }
        // Watch always follows: once the server wrote everything (and a few of watch's 0.2 s batches later), stop
        // it as a user would.
        Thread.detachNewThread {
            while observer.served.withLock({ $0 }) == 0 { Thread.sleep(forTimeInterval: 0.05) }
            Thread.sleep(forTimeInterval: 1.5)
            kill(pid, SIGINT)
        }
        let handle = out.fileHandleForReading
        let text = try await onThread { () -> String in
            var text = ""
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return text }
                text += String(decoding: chunk, as: UTF8.self)
            }
        }
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationReason == .exit && p.terminationStatus == 1, "\(p.terminationStatus): \(stderr)")
        let (blocked, summary) = Self.parse(text)
        #expect(blocked == expected, "\(text.prefix(2000))\n\(stderr)")
        #expect((summary?["source"] as? String)?.hasPrefix("hubble 127.0.0.1:") == true, "\(String(describing: summary))")
        #expect(summary?["lost_events"] as? Int == 12, "\(String(describing: summary))")
        #expect(summary?["accepted"] as? Int == flows.count, "\(String(describing: summary))")
        #expect(stderr.contains("lost 12 event(s)"), "\(stderr)")
        // The request carried --since as a time 2000 days before the run started.
        let req = try #require(observer.requests.withLock { $0.first })
        #expect(req.hasSince && req.follow)
        #expect(req.blacklist == [try Flow_FlowFilter(jsonString: #"{"source_pod":["nowhere/"]}"#)] && req.whitelist.isEmpty)
        let want = started - 2000 * 86_400 * 1_000_000_000
        #expect(abs(Samples.nanos(req.since) - want) < 120 * 1_000_000_000, "\(req.since)")
    }

    @Test("ingest --hubble: --since, --until, --hubble-allowlist and --hubble-denylist reach the server's request as given")
    func requestFlags() async throws {
        let observer = FakeObserver(events: try HubbleGRPCTests.sorted().map(\.message))
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let allow = [#"{"source_pod":["bookinfo/"]}"#, #"{"destination_pod":["kube-system/"],"protocol":["UDP"]}"#]
        let deny = [#"{"verdict":["DROPPED"]}"#]
        let args = ["ingest", "--db", dir.appendingPathComponent("r.db").path, "--hubble", server.address,
                    "--since", "2021-01-02T03:04:05Z", "--until", "2029-12-31T23:59:59.5Z"]
            + allow.flatMap { ["--hubble-allowlist", $0] } + deny.flatMap { ["--hubble-denylist", $0] }
        let (status, _, err) = try await onThread { try ProcessRunner.output(Self.flowmap, args) }
        #expect(status == 0, "\(err)")
        let req = try #require(observer.requests.withLock { $0.first })
        #expect(req.whitelist == (try allow.map { try Flow_FlowFilter(jsonString: $0) }))
        #expect(req.blacklist == (try deny.map { try Flow_FlowFilter(jsonString: $0) }))
        #expect(req.since.seconds == 1_609_556_645 && req.since.nanos == 0)
        #expect(req.until.seconds == 1_893_455_999 && req.until.nanos == 500_000_000)
        #expect(!req.follow && req.number == 0, "a window, not the whole buffer")
    }

    @Test("watch --db D - on SIGINT or SIGTERM: the batch in progress committed to D, the summary printed, exit status as at the end of input",
          arguments: [SIGINT, SIGTERM])
    func signalCommits(_ signal: Int32) async throws {
        let (flows, dir, policies, capture, expected) = try Self.scenario()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("w.db").path, fileDB = dir.appendingPathComponent("f.db").path
        _ = try LiveSupport.ingest(capture, db: fileDB)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.flowmap)
        // One batch for the whole run: nothing is committed before the signal.
        p.arguments = ["watch", "--policies", policies, "--db", db, "--batch-seconds", "3600", "-o", "jsonl", "-"]
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let pid = p.processIdentifier
        Thread.detachNewThread {  // a hung watch fails the test instead of hanging it
            Thread.sleep(forTimeInterval: 90)
            kill(pid, SIGKILL)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: capture))
        let w = input.fileHandleForWriting.fileDescriptor
        try await onThread {  // the stream stays open: only the signal ends it
            _ = bytes.withUnsafeBytes { b in
                var off = 0
                while off < b.count {
                    let n = write(w, b.baseAddress! + off, b.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            // until watch has taken every byte from the pipe, and a moment to parse the last of them
            var pending: Int32 = 1
            while ioctl(w, UInt(FIONREAD), &pending) == 0 && pending > 0 { Thread.sleep(forTimeInterval: 0.05) }
            Thread.sleep(forTimeInterval: 1.0)
        }
        #expect(try FlowStore(path: db).edges().isEmpty, "nothing committed before the signal")
        kill(pid, signal)
        let handle = out.fileHandleForReading
        let text = try await onThread { String(decoding: handle.readDataToEndOfFile(), as: UTF8.self) }
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try? input.fileHandleForWriting.close()
        #expect(p.terminationReason == .exit && p.terminationStatus == 1, "\(p.terminationStatus): \(stderr)")
        let (blocked, summary) = Self.parse(text)
        #expect(blocked == expected, "\(text.prefix(2000))")
        #expect(summary?["accepted"] as? Int == flows.count, "\(String(describing: summary))")
        try LiveSupport.expectSameStore(fileDB, db)
    }

    @Test("--since/--until with --hubble take what every verb takes; an --until before --since is refused, exit 2")
    func hubbleTimes() throws {
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.flowmap)
            p.arguments = args
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: e, as: UTF8.self))
        }
        // Nothing listens on port 9: these must fail on the times, before connecting.
        let bad = try run(["ingest", "--db", "/nonexistent/x.db", "--hubble", "127.0.0.1:9", "--since", "soon"])
        #expect(bad.0 == 2 && bad.1.contains("--since soon: expected \(RelativeTime.expected)"), "\(bad.1)")
        let swapped = try run(["ingest", "--db", "/nonexistent/x.db", "--hubble", "127.0.0.1:9", "--since", "1h",
                               "--until", "2h"])
        #expect(swapped.0 == 2 && swapped.1.contains("--until 2h is before --since 1h"), "\(swapped.1)")
    }

    @Test("watch follows the CLI conventions: -o/--output text|jsonl|json, no input --format, help that wraps")
    func conventions() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.flowmap)
        p.arguments = ["--experimental-dump-help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let tree = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let verbs = try #require((tree["command"] as? [String: Any])?["subcommands"] as? [[String: Any]])
        let watch = try #require(verbs.first { $0["commandName"] as? String == "watch" })
        let args = watch["arguments"] as? [[String: Any]] ?? []
        func names(_ a: [String: Any]) -> [String] {
            (a["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        let output = try #require(args.first { names($0).contains("output") })
        #expect(Set(names(output)) == ["o", "output"])
        #expect(output["allValues"] as? [String] == ["text", "jsonl", "json"])
        // the input's format is ingest's flag only (docs/cli.md); watch tells it from the stream
        #expect(!args.contains { names($0).contains("format") })
        // ArgumentParser wraps each line of a discussion to the terminal: a hard break inside a sentence leaves a
        // stub line at 80 columns. Every long line ends a sentence or a clause.
        let lines = (watch["discussion"] as? String ?? "").split(separator: "\n").map(String.init)
        for (a, b) in zip(lines, lines.dropFirst()) where a.count > 60 && !a.hasPrefix("  ") {
            #expect([".", ":", ";", ")"].contains(a.last.map(String.init) ?? "") || !(b.first?.isLowercase ?? false),
                    "a hard line break inside a sentence: \(a) / \(b)")
        }
        // --format is refused as a usage error (exit 2)
        let f = Process()
        f.executableURL = URL(fileURLWithPath: Self.flowmap)
        f.arguments = ["watch", "--policies", "/nonexistent", "--format", "hubble", "-"]
        f.standardOutput = FileHandle.nullDevice
        f.standardError = FileHandle.nullDevice
        try f.run()
        f.waitUntilExit()
        #expect(f.terminationStatus == 2)
    }
}
