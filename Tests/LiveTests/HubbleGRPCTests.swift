import Foundation
import Testing
import FlowMapKit
import FlowModel
import GRPCCore
import HubbleAPI
import HubbleLive
import SwiftProtobuf
#if canImport(Glibc)
import Glibc
#endif

/// `ingest --hubble` / `watch --hubble` against in-process Hubble servers on loopback serving the samples.
@Suite("Hubble over gRPC", .serialized)
struct HubbleGRPCTests {
    static func sorted() throws -> [(line: String, message: Observer_GetFlowsResponse)] {
        try Samples.flows().enumerated().sorted {
            (Samples.nanos($0.element.message.flow.time), $0.offset) < (Samples.nanos($1.element.message.flow.time), $1.offset)
        }.map(\.element)
    }

    static func options(_ address: String) -> HubbleFeedOptions {
        var h = HubbleFeedOptions(address: address)
        h.backoffSeconds = 0.05
        h.backoffMaxSeconds = 0.2
        h.maxAttempts = 4
        h.settleSeconds = 0.3
        return h
    }

    static func lost(_ n: UInt64) -> Observer_GetFlowsResponse {
        var l = Flow_LostEvent()
        l.source = .perfEventRingBuffer
        l.numEventsLost = n
        var m = Observer_GetFlowsResponse()
        m.lostEvents = l
        return m
    }

    @Test("reconnect backoff: 1 s doubling to 30 s (the defaults), back to the first wait after an attempt that brought flows")
    func backoff() {
        var b = HubbleFeedOptions.Backoff(HubbleFeedOptions(address: "x"))
        #expect((0 ..< 7).map { _ in b.next() } == [1, 2, 4, 8, 16, 30, 30])
        b.reset()
        #expect(b.next() == 1)
        var fast = HubbleFeedOptions(address: "x")
        fast.backoffSeconds = 0.05
        fast.backoffMaxSeconds = 0.2
        var f = HubbleFeedOptions.Backoff(fast)
        #expect((0 ..< 4).map { _ in f.next() } == [0.05, 0.1, 0.2, 0.2])
    }

    @Test("ingest --hubble (Relay) stores exactly what ingest of the same flows from a file stores")
    func relayEqualsFile() async throws {
        let flows = try Self.sorted()
        let observer = FakeObserver(events: flows.map(\.message))
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        let fileDB = dir.appendingPathComponent("file.db").path, grpcDB = dir.appendingPathComponent("grpc.db").path
        let fileReport = try LiveSupport.ingest(LiveSupport.capture(flows.map(\.line), in: dir), db: fileDB)
        let h = Self.options(server.address)
        let (report, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: grpcDB)) { _ in } }
        #expect(feed.failures.isEmpty, "\(feed.failures)")
        #expect(feed.flows == Int64(flows.count))
        #expect(report.total.accepted == fileReport.total.accepted)
        #expect(report.total.rejected == 0)
        try LiveSupport.expectSameStore(fileDB, grpcDB)
        // the request: everything the buffer holds, only the fields the reader uses
        let req = try #require(observer.requests.withLock { $0.first })
        #expect(!req.follow && req.number == UInt64.max)
        #expect(req.fieldMask.paths == HubbleFeedOptions.fieldMask)
        #expect(req.fieldMask.isValid(for: Flow_Flow.self))
    }

    @Test("--hubble-nodes reads every node from Peer/Notify; a dropped stream resumes without loss or repeat; lost events are counted")
    func nodesDropLost() async throws {
        let flows = try Self.sorted()
        var perNode: [[Observer_GetFlowsResponse]] = [[], [], []]
        for (i, f) in flows.enumerated() { perNode[i % 3].append(f.message) }
        perNode[0].insert(Self.lost(42), at: 3)
        perNode[2].append(Self.lost(8))
        let observers = [FakeObserver(events: perNode[0]), FakeObserver(events: perNode[1], dropAfter: 7),
                         FakeObserver(events: perNode[2])]
        var nodes: [LoopbackServer] = []
        for o in observers { nodes.append(try await LoopbackServer.start([o])) }
        let peer = try await LoopbackServer.start([FakePeer(peers: nodes.enumerated().map { ("node-\($0.offset)", $0.element.address) })])
        defer { for s in nodes + [peer] { s.stop() } }

        let dir = LiveSupport.tempDir()
        let fileDB = dir.appendingPathComponent("file.db").path, grpcDB = dir.appendingPathComponent("grpc.db").path
        _ = try LiveSupport.ingest(LiveSupport.capture(flows.map(\.line), in: dir), db: fileDB)
        var nodesOptions = Self.options(peer.address)
        nodesOptions.nodes = true
        let h = nodesOptions
        let (report, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: grpcDB)) { _ in } }
        #expect(feed.failures.isEmpty, "\(feed.failures)")
        #expect(feed.servers.count == 3)
        #expect(feed.flows == Int64(flows.count))
        #expect(feed.lostEvents == 50)
        #expect(feed.reconnects == 1)
        try LiveSupport.expectSameStore(fileDB, grpcDB)
        // the second call resumed from the time of the last flow the first one delivered
        let reqs = observers[1].requests.withLock { $0 }
        #expect(reqs.count == 2)
        let seventh = perNode[1][6].flow.time
        #expect(reqs.last?.since == seventh)
        #expect(Live.notes(feed).contains { $0.contains("lost 50 event(s)") })
        // and in the report `ingest --hubble -o json` prints: the count and the note
        let json = try #require(JSONSerialization.jsonObject(with: Data(report.document(db: grpcDB, as: .json).utf8)) as? [String: Any])
        #expect(json["lost_events"] as? Int == 50, "\(json)")
        #expect((json["notes"] as? [String])?.contains { $0.contains("lost 50 event(s)") } == true, "\(json)")
    }

    @Test("watch --hubble (following) reports exactly what check reports as breaking, then stops on request")
    func watchEqualsCheck() async throws {
        let flows = try Self.sorted()
        let server = try await LoopbackServer.start([FakeObserver(events: flows.map(\.message))])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        let policies = LiveSupport.writePolicies(in: dir)
        let db = dir.appendingPathComponent("check.db").path
        _ = try LiveSupport.ingest(LiveSupport.capture(flows.map(\.line), in: dir), db: db)
        let check = try Check.run(Check.Options(policies: [policies], db: db))
        let expected = Set(check.report.denied.map(LiveSupport.Blocked.init))
        #expect(expected.count >= 7)
        LiveSupport.expectEveryPath(check.report.denied)

        var following = Self.options(server.address)
        following.follow = true
        let h = following
        var stop: [Int32] = [-1, -1]
        _ = pipe(&stop)
        let stopWrite = stop[1], stopRead = stop[0]
        Thread.detachNewThread {  // a hung watch fails the test instead of hanging it
            Thread.sleep(forTimeInterval: 60)
            var b: UInt8 = 1
            _ = write(stopWrite, &b, 1)
        }
        let (events, summary, feed) = try await onThread { () -> ([Watch.Event], Watch.Summary, HubbleFeedReport) in
            var o = Watch.Options(policies: [policies])
            o.format = .hubble
            o.batchSeconds = 0.2
            o.stopDescriptor = stopRead
            let session = try Watch.prepare(o)
            var events: [Watch.Event] = []
            session.onBatch = { s in
                // everything arrived: stop as SIGINT would
                if s.counts.accepted == Int64(flows.count) {
                    var b: UInt8 = 1
                    _ = write(stopWrite, &b, 1)
                }
            }
            let (summary, feed) = try Live.withHubble(h) { fd, name in
                session.options.stdinDescriptor = fd
                session.options.streamName = name
                return try session.run(path: "-", onIssue: { _ in }) { events.append($0) }
            }
            return (events, summary, feed)
        }
        #expect(summary.counts.accepted == Int64(flows.count))
        #expect(LiveSupport.blocked(events) == expected)
        #expect(summary.report.allowedConnections == check.report.allowedConnections)
        #expect(summary.source.hasPrefix("hubble 127.0.0.1:"))
        #expect(feed.failures.isEmpty)
    }

    @Test("an address where nothing listens: the feed gives up with an error naming the address")
    func unreachable() async throws {
        // a port that was just free: bind, read the port, close
        let server = try await LoopbackServer.start([FakeObserver(events: [])])
        let address = server.address
        server.stop()
        try await Task.sleep(nanoseconds: 200_000_000)
        let dir = LiveSupport.tempDir()
        var few = Self.options(address)
        few.maxAttempts = 2
        let h = few
        let (report, feed) = try await onThread {
            try Live.ingest(h, options: Ingest.Options(db: dir.appendingPathComponent("x.db").path)) { _ in }
        }
        #expect(feed.failures.count == 1)
        #expect(feed.failures.first?.contains(address) == true)
        #expect(report.failures == feed.failures)
    }

    @Test("a filter FlowMap cannot send is refused before anything connects")
    func badFilter() throws {
        var h = HubbleFeedOptions(address: "localhost:4245")
        h.allowlist = ["{\"source_fqdn\":[\"x\"]}"]
        #expect(throws: HubbleFeedError.self) { try HubbleFeed.validate(h) }
        h.allowlist = ["{\"source_pod\":[\"kube-system/\"]}"]
        try HubbleFeed.validate(h)
        h.tls.clientCertFile = "c.pem"
        h.tls.enabled = true
        #expect(throws: HubbleFeedError.self) { try HubbleFeed.validate(h) }
    }

    @Test("addresses: host:port, [v6]:port, a bare host, unix sockets")
    func addresses() throws {
        #expect(try HubbleTarget.parse("localhost:4245", defaultPort: 1).place == .host("localhost", port: 4245))
        #expect(try HubbleTarget.parse("10.0.0.1", defaultPort: 4244).place == .host("10.0.0.1", port: 4244))
        #expect(try HubbleTarget.parse("[::1]:4244", defaultPort: 1).place == .host("::1", port: 4244))
        #expect(try HubbleTarget.parse("unix:///var/run/cilium/hubble.sock", defaultPort: 1).place
                == .unix("/var/run/cilium/hubble.sock"))
        #expect(throws: HubbleFeedError.self) { try HubbleTarget.parse("host:99999", defaultPort: 1) }
    }
}
