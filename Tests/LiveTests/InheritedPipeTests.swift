import Foundation
import Testing
import FlowMapKit
import HubbleLive
#if canImport(Glibc)
import Glibc
#endif

/// The feed writes into a pipe that the ingest driver reads to its end. A process started meanwhile (in
/// `make test`, a PostgreSQL server started by another test) inherited the pipe's write end, so the read never
/// ended: the whole test run hung in HubbleTLSTests.
@Suite("Live reads: child processes do not inherit the feed's pipe")
struct InheritedPipeTests {
    /// What `/proc/PID/fd/*` of `pid` point to.
    static func descriptors(of pid: pid_t) -> [String] {
        let dir = "/proc/\(pid)/fd"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/\($0)")
        }
    }

    @Test("a process started during a Hubble read holds neither end of the feed's pipe")
    func childDoesNotHoldFeed() async throws {
        let flows = try HubbleGRPCTests.sorted().prefix(50).map(\.message)
        let server = try await LoopbackServer.start([FakeObserver(events: Array(flows))])
        defer { server.stop() }
        let h = HubbleGRPCTests.options(server.address)
        let (pipe, inChild, bytes) = try await onThread { () throws -> (String, [String], Int) in
            try Live.withHubble(h) { fd, _ -> (String, [String], Int) in
                let pipe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
                var pid: pid_t = 0
                let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sleep", "30"].map { (s: String) in strdup(s) } + [nil]
                defer { for a in argv { free(a) } }
                // No file actions: the child keeps every descriptor not marked close-on-exec. posix_spawn
                // returns once the child has exec'd, so its descriptors are final.
                #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
                let held = Self.descriptors(of: pid)
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                var total = 0
                var buf = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = read(fd, &buf, buf.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    total += n
                }
                return (pipe, held, total)
            }.result
        }
        #expect(pipe.hasPrefix("pipe:["))
        #expect(!inChild.isEmpty, "the child's descriptors were read")
        #expect(!inChild.contains(pipe), "the child inherited the feed's pipe (\(pipe)): \(inChild.sorted())")
        #expect(bytes > 0, "the feed wrote the flows")
    }
}
