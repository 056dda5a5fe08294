import Foundation
import Testing
import FlowMapKit
import FlowModel
import FlowStore
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import HubbleAPI
@testable import HubbleLive
import SwiftProtobuf
import Synchronization

/// Issue 19's audit: what the feed asks a Hubble server for and what it makes of the answer (fields, older
/// servers, nodes read in parallel or not at all, Relay's word on its nodes, a resume inside one timestamp).
@Suite("Hubble feed over gRPC", .serialized)
struct HubbleFeedTests {
    static let sorted = HubbleGRPCTests.sorted
    static let options = HubbleGRPCTests.options

    /// `line` (an envelope or a bare flow) with `edit` applied to its flow object.
    static func editFlow(_ line: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        var top = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        if var flow = top["flow"] as? [String: Any] {
            edit(&flow)
            top["flow"] = flow
        } else {
            edit(&top)
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: top, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Ingests `lines` from a file and over gRPC from a server holding them; both stores, and the feed's report.
    static func fileAndGRPC(_ lines: [String], server observers: [FakeObserver]? = nil, nodes: Bool = false,
                            in dir: URL) async throws -> (file: String, grpc: String, feed: HubbleFeedReport) {
        let flows = Samples.messages(lines)
        #expect(flows.count == lines.count, "every line is a flow the server can serve")
        let fileDB = dir.appendingPathComponent("file.db").path, grpcDB = dir.appendingPathComponent("grpc.db").path
        _ = try LiveSupport.ingest(LiveSupport.capture(lines, in: dir), db: fileDB)
        let servers = observers ?? [FakeObserver(events: flows.map(\.message))]
        var running: [LoopbackServer] = []
        for o in servers { running.append(try await LoopbackServer.start([o])) }
        defer { for s in running { s.stop() } }
        let h = options(running[0].address)
        let (_, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: grpcDB)) { _ in } }
        return (fileDB, grpcDB, feed)
    }

    @Test("every field the reader reads survives gRPC: ClusterMesh cluster_name, destination_service, aggregate counts, every drop reason")
    func everyFieldRead() async throws {
        let newerDrops = ["UNENCRYPTED_TRAFFIC", "DROP_RATE_LIMITED", "IGMP_HANDLED", "IGMP_SUBSCRIBED",
                          "MULTICAST_HANDLED", "DROP_NO_EGRESS_IP", "DROP_PUNT_PROXY"]
        var lines: [String] = []
        for (i, f) in try Self.sorted().prefix(120).enumerated() {
            lines.append(try Self.editFlow(f.line) { flow in
                switch i % 4 {
                case 0:  // a peer in another cluster of the mesh: never merged with a local workload of that name
                    let egress = flow["traffic_direction"] as? String == "EGRESS"  // then observed at the source
                    for (end, cluster) in [("source", egress ? "home" : "remote-mesh"),
                                           ("destination", egress ? "remote-mesh" : "home")] {
                        var e = flow[end] as? [String: Any] ?? [:]
                        e["cluster_name"] = cluster
                        flow[end] = e
                    }
                case 1:
                    flow["destination_service"] = ["name": "svc-\(i % 3)", "namespace": "svc-ns"]
                case 2:  // Hubble's flow aggregation: this record stands for 7 flows
                    flow["aggregate"] = ["ingress_flow_count": 4, "egress_flow_count": 2, "unknown_direction_flow_count": 1]
                default:
                    flow["verdict"] = "DROPPED"
                    flow["drop_reason_desc"] = newerDrops[(i / 4) % newerDrops.count]
                }
            })
        }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (fileDB, grpcDB, feed) = try await Self.fileAndGRPC(lines, in: dir)
        #expect(feed.failures.isEmpty, "\(feed.failures)")
        #expect(feed.flows == Int64(lines.count))
        // The file store holds what each edit means (else the comparison below would prove nothing) ...
        let file = try FlowStore(path: fileDB)
        let edges = try file.edges()
        #expect(try file.endpoints().contains { $0.cluster == "remote-mesh" })
        #expect(!(try file.services()).isEmpty)
        #expect(edges.map(\.stats.flows).reduce(0, +) > Int64(lines.count), "aggregate counts weigh")
        let reasons = edges.reduce(into: Set<String>()) { $0.formUnion($1.stats.dropReasons) }
        #expect(Set(newerDrops).isSubset(of: reasons), "\(reasons)")
        // ... and gRPC stores exactly the same.
        try LiveSupport.expectSameStore(fileDB, grpcDB)
    }

    @Test("an older Hubble that refuses the field mask ('invalid fieldmask') is asked again without the newer fields; every flow is read")
    func olderHubbleMask() async throws {
        let flows = try Self.sorted()
        // A Cilium 1.15 Flow: neither `aggregate` (1.19) nor `trace_reason` (1.16).
        let known = Set(HubbleFeedOptions.fieldMask.map { String($0.split(separator: ".")[0]) })
            .subtracting(HubbleFeedOptions.newerMaskPaths)
        let observer = FakeObserver(events: flows.map(\.message), knownPaths: known)
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var few = Self.options(server.address)
        few.maxAttempts = 2  // the two refusals are not attempts that count
        let h = few
        let db = dir.appendingPathComponent("g.db").path
        let (_, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: db)) { _ in } }
        #expect(feed.failures.isEmpty, "\(feed.failures)")
        #expect(feed.flows == Int64(flows.count))
        let masks = observer.requests.withLock { $0.map(\.fieldMask.paths) }
        #expect(masks == [HubbleFeedOptions.fieldMask, HubbleFeedOptions.fieldMask(dropping: 1),
                          HubbleFeedOptions.fieldMask(dropping: 2)])
        let last = try #require(masks.last)
        #expect(!last.contains("aggregate") && !last.contains("trace_reason") && last.contains("source"))
        #expect(feed.notes.filter { $0.contains("refused the field mask") }.count == 2, "\(feed.notes)")
    }

    @Test("--hubble-nodes reads the nodes in parallel: every node's stream is open at once")
    func nodesInParallel() async throws {
        let flows = try Self.sorted()
        var perNode: [[Observer_GetFlowsResponse]] = [[], [], []]
        for (i, f) in flows.enumerated() { perNode[i % 3].append(f.message) }
        let gate = Gate(count: 3)
        let observers = perNode.map { FakeObserver(events: $0, gate: gate) }
        var nodes: [LoopbackServer] = []
        for o in observers { nodes.append(try await LoopbackServer.start([o])) }
        let peer = try await LoopbackServer.start([FakePeer(peers: nodes.enumerated().map { ("node-\($0.offset)", $0.element.address) })])
        defer { for s in nodes + [peer] { s.stop() } }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = Self.options(peer.address)
        o.nodes = true
        let h = o
        let db = dir.appendingPathComponent("n.db").path
        let (_, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: db)) { _ in } }
        #expect(!gate.timedOut.withLock { $0 }, "a node's stream waited for another's to end: read one after another")
        #expect(gate.arrived.withLock { $0 } == 3)
        #expect(feed.failures.isEmpty, "\(feed.failures)")
        #expect(feed.flows == Int64(flows.count))
    }

    @Test("a stream that stalls (no message for idleSeconds, not following) is an attempt failed: retried from the last flow, every flow stored once, never a wait for ever",
          .timeLimit(.minutes(1)))
    func stalledStream() async throws {
        let flows = try Self.sorted()
        let observer = FakeObserver(events: flows.map(\.message), stallAfter: 5)
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = Self.options(server.address)
        o.idleSeconds = 2
        let h = o
        let db = dir.appendingPathComponent("s.db").path, fileDB = dir.appendingPathComponent("f.db").path
        let (_, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: db)) { _ in } }
        #expect(feed.failures.isEmpty, "\(feed.failures)")
        #expect(feed.flows == Int64(flows.count))
        // (A loaded machine may make a later attempt slow to its first message too: one more retry, never a hang.)
        #expect(feed.reconnects >= 1, "\(feed.notes)")
        #expect(feed.notes.contains { $0.contains("no message for 2.0 s") }, "\(feed.notes)")
        #expect(observer.requests.withLock { $0 }.count == feed.reconnects + 1)
        _ = try LiveSupport.ingest(LiveSupport.capture(flows.map(\.line), in: dir), db: fileDB)
        try LiveSupport.expectSameStore(fileDB, db)
    }

    @Test("following, a peer that stops answering (the connection frozen, never closed) is found by HTTP/2 keepalive: the stream is retried from the last flow, nothing lost or read twice",
          .timeLimit(.minutes(1)))
    func keepaliveDeadPeer() async throws {
        let flows = try Self.sorted()
        let observer = FakeObserver(events: flows.map(\.message))
        // This server lets pings come every 100 ms (grpc-go's, like grpc-swift's by default, wants 5 minutes).
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.connection.keepalive.clientBehavior = .init(minPingIntervalWithoutCalls: .milliseconds(100),
                                                           allowWithoutCalls: false)
        let server = try await LoopbackServer.start([observer], config: config)
        defer { server.stop() }
        let proxy = try FreezingProxy(upstream: server.port)
        defer { proxy.stop() }
        var o = Self.options(proxy.address)
        o.follow = true
        o.keepaliveSeconds = 1
        o.keepaliveTimeoutSeconds = 1
        let h = o
        let (lines, feed) = try await onThread {
            try Live.withHubble(h) { fd, _ -> Int in
                var lines = 0, frozen = false
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline {
                    if !frozen && observer.served.withLock({ $0 }) == 1 && lines == flows.count {
                        proxy.freeze()  // everything read on the first connection: now its peer is dead
                        frozen = true
                    }
                    if observer.served.withLock({ $0 }) == 2 && lines >= flows.count { break }
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&p, 1, 100) > 0 else { continue }
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    guard n > 0 else { break }
                    lines += buffer[..<n].reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
                }
                return lines
            }
        }
        #expect(observer.calls.withLock { $0 } == 2, "the dead connection was noticed and the stream retried")
        #expect(proxy.connections.withLock { $0 } >= 2)
        #expect(feed.reconnects == 1, "\(feed.notes)")
        #expect(lines == flows.count, "every flow once")
        #expect(observer.requests.withLock { $0 }.last?.since == flows.last?.message.flow.time)
        #expect(feed.failures.isEmpty, "\(feed.failures)")
    }

    @Test("the HTTP/2 keepalive reaches the transport: 5 minutes (grpc-go's MinTime: faster pings get GOAWAY), 20 s timeout, only during a call; TLS name as authority")
    func keepaliveConfig() throws {
        var o = HubbleFeedOptions(address: "localhost:4245")
        let keepalive = try #require(HubbleTarget.config(o).connection.keepalive)
        #expect(keepalive == .init(time: .seconds(300), timeout: .seconds(20), allowWithoutCalls: false))
        #expect(HubbleTarget.config(o).connection.maxIdleTime == nil)
        #expect(HubbleTarget.config(o).http2.authority == nil)
        o.keepaliveSeconds = 1.5
        o.keepaliveTimeoutSeconds = 0.25
        #expect(HubbleTarget.config(o).connection.keepalive
                == .init(time: .milliseconds(1500), timeout: .milliseconds(250), allowWithoutCalls: false))
        o.keepaliveSeconds = nil
        #expect(HubbleTarget.config(o).connection.keepalive == nil)
        o.tls.enabled = true
        o.tls.serverName = "ui.hubble-relay.cilium.io"
        #expect(HubbleTarget.config(o).http2.authority == "ui.hubble-relay.cilium.io")
        #expect(HubbleTarget.config(o, serverName: "n1.default.hubble-grpc.cilium.io").http2.authority
                == "n1.default.hubble-grpc.cilium.io")
    }

    @Test("--hubble-nodes: a node that cannot be read is a failure naming it, told at once; the other nodes are read completely")
    func nodeFails() async throws {
        let flows = try Self.sorted()
        var perNode: [[(line: String, message: Observer_GetFlowsResponse)]] = [[], []]
        for (i, f) in flows.enumerated() { perNode[i % 2].append(f) }
        let observers = perNode.map { FakeObserver(events: $0.map(\.message)) }
        var nodes: [LoopbackServer] = []
        for o in observers { nodes.append(try await LoopbackServer.start([o])) }
        // a port that was just free: nothing listens there
        let gone = try await LoopbackServer.start([FakeObserver(events: [])])
        let deadAddress = gone.address
        gone.stop()
        try await Task.sleep(nanoseconds: 200_000_000)
        let peer = try await LoopbackServer.start([FakePeer(peers: [("node-a", nodes[0].address), ("node-dead", deadAddress),
                                                                    ("node-b", nodes[1].address), ("node-bad", "host:99999")])])
        defer { for s in nodes + [peer] { s.stop() } }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        final class Told: Sendable { let list = Mutex<[String]>([]) }
        let told = Told()
        var o = Self.options(peer.address)
        o.nodes = true
        o.maxAttempts = 2
        o.onFailure = { f in told.list.withLock { $0.append(f) } }
        let h = o
        let db = dir.appendingPathComponent("n.db").path, fileDB = dir.appendingPathComponent("f.db").path
        let (report, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: db)) { _ in } }
        #expect(feed.failures.count == 2, "\(feed.failures)")
        #expect(feed.failures.contains { $0.contains("node-dead") && $0.contains(deadAddress) }, "\(feed.failures)")
        #expect(feed.failures.contains { $0.contains("node-bad") && $0.contains("host:99999") }, "\(feed.failures)")
        #expect(Set(told.list.withLock { $0 }) == Set(feed.failures), "each failure is told as it happens")
        // ingest exits 2 on report.failures (IngestCommand.finish); what could be read is stored, all of it
        #expect(report.failures == feed.failures)
        #expect(feed.flows == Int64(flows.count))
        _ = try LiveSupport.ingest(LiveSupport.capture(flows.map(\.line), in: dir), db: fileDB)
        try LiveSupport.expectSameStore(fileDB, db)
    }

    @Test("Relay's word that a node is unavailable or failed makes the read incomplete (a failure naming the node); a node gone is a note")
    func relayNodeStatus() async throws {
        func status(_ s: Relay_NodeState, _ names: [String], _ message: String = "") -> Observer_GetFlowsResponse {
            var n = Relay_NodeStatusEvent()
            n.stateChange = s
            n.nodeNames = names
            n.message = message
            var m = Observer_GetFlowsResponse()
            m.nodeStatus = n
            return m
        }
        let flows = try Self.sorted()
        var events = flows.map(\.message)
        events.insert(status(.nodeConnected, ["node-a"]), at: 0)
        events.insert(status(.nodeUnavailable, ["node-b"]), at: 1)
        events.insert(status(.nodeError, ["node-c"], "stream reset"), at: 20)
        events.insert(status(.nodeGone, ["node-d"]), at: 30)
        let observer = FakeObserver(events: events)
        let server = try await LoopbackServer.start([observer])
        defer { server.stop() }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let h = Self.options(server.address)
        let db = dir.appendingPathComponent("r.db").path
        let (report, feed) = try await onThread { try Live.ingest(h, options: Ingest.Options(db: db)) { _ in } }
        #expect(feed.flows == Int64(flows.count))
        #expect(feed.failures.count == 2, "\(feed.failures)")
        #expect(feed.failures.contains { $0.contains("NODE_UNAVAILABLE node-b") }, "\(feed.failures)")
        #expect(feed.failures.contains { $0.contains("NODE_ERROR node-c: stream reset") }, "\(feed.failures)")
        #expect(!feed.failures.contains { $0.contains("node-a") || $0.contains("node-d") })
        #expect(feed.notes.contains { $0.contains("NODE_GONE node-d") }, "\(feed.notes)")
        #expect(report.failures == feed.failures)
    }

    @Test("a stream dropped between flows of the same time resumes from that time: those read are skipped once, none lost or repeated")
    func resumeWithinOneTime() async throws {
        var flows = Array(try Self.sorted().prefix(40)).map(\.message)
        // flows 5...11 share one time; 6 and 7 are the very same flow twice (Hubble may send a flow twice)
        let t = flows[5].flow.time
        for i in 5 ... 11 {
            flows[i].flow.time = t
            flows[i].time = t
        }
        flows[7] = flows[6]
        let lines = try flows.map { try $0.jsonString(options: HubbleFeedTests.jsonOptions) }
        let dir = LiveSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let observer = FakeObserver(events: flows, dropAfter: 8)  // 5, 6, 7 of that time were sent, then the drop
        let (fileDB, grpcDB, feed) = try await Self.fileAndGRPC(lines, server: [observer], in: dir)
        #expect(feed.failures.isEmpty, "\(feed.failures)")
        #expect(feed.reconnects == 1)
        #expect(feed.flows == Int64(flows.count))
        let reqs = observer.requests.withLock { $0 }
        #expect(reqs.count == 2)
        #expect(reqs.last?.since == t, "the second call starts at the last flow's time")
        try LiveSupport.expectSameStore(fileDB, grpcDB)
    }

    static let jsonOptions: JSONEncodingOptions = {
        var o = JSONEncodingOptions()
        o.preserveProtoFieldNames = true
        return o
    }()
}
