import Dispatch
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import HubbleAPI
import SwiftProtobuf
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What to read from Hubble and how.
public struct HubbleFeedOptions: Sendable {
    /// Relay (`localhost:4245`) or one node's server (`:4244`, `unix:///var/run/cilium/hubble.sock`); with
    /// `nodes`, the server whose `peer.Peer/Notify` lists the nodes.
    public var address: String
    /// Read every node's server in parallel (the nodes come from Peer/Notify on `address`).
    public var nodes = false
    /// Keep the stream open for new flows (else: what the servers hold, then the end).
    public var follow = false
    /// Nanoseconds since the epoch.
    public var since: Int64?
    public var until: Int64?
    /// `flow.FlowFilter` objects as JSON (`{"source_pod":["kube-system/"]}`), as `hubble observe --allowlist`
    /// / `--denylist` take them: a flow is read when it matches one allowlist filter (or there are none) and no
    /// denylist filter.
    public var allowlist: [String] = []
    public var denylist: [String] = []
    public var tls = HubbleTLS()
    /// Reconnect backoff: first wait, doubling up to the maximum.
    public var backoffSeconds = 1.0
    public var backoffMaxSeconds = 30.0
    /// Connection attempts in a row without a flow before a server is given up.
    public var maxAttempts = 8
    /// Without `follow`: an attempt that brings no message for this long has failed (a stream or a connection
    /// that stalls), so it is retried from the last flow and counted by `maxAttempts`, instead of waiting for ever.
    /// (Following, a quiet stream is normal: no limit.)
    public var idleSeconds = 60.0
    /// HTTP/2 keepalive pings while a call is open: a peer that stopped answering (a node gone, a connection
    /// dropped on the way without a reset) is found within `keepaliveSeconds + keepaliveTimeoutSeconds` and the
    /// stream retried, where a following read would wait for ever. Not under 300: grpc-go servers (Hubble, Relay)
    /// enforce a MinTime of 5 minutes and answer more frequent pings with GOAWAY ENHANCE_YOUR_CALM. nil: no pings.
    public var keepaliveSeconds: Double? = 300
    public var keepaliveTimeoutSeconds = 20.0
    /// `nodes` without `follow`: Peer/Notify quiet this long means every node is known.
    public var settleSeconds = 1.0
    /// Called (from the feed's tasks) as soon as a server or node is given up, with what `failures` will hold.
    public var onFailure: (@Sendable (String) -> Void)?

    public init(address: String) { self.address = address }

    /// The waits between reconnection attempts: `backoffSeconds`, doubling up to `backoffMaxSeconds`; back to the
    /// first wait once an attempt brought something (flows, or Notify changes).
    public struct Backoff: Sendable {
        let first, maximum: Double
        var current: Double
        public init(_ o: HubbleFeedOptions) {
            first = o.backoffSeconds
            maximum = o.backoffMaxSeconds
            current = first
        }
        /// The wait before the next attempt (and doubles the one after).
        public mutating func next() -> Double {
            defer { current = min(current * 2, maximum) }
            return current
        }
        public mutating func reset() { current = first }
    }

    /// The flow fields FlowMap's reader uses (HubbleReader), asked for with the request's field mask so a
    /// server sends nothing else. (`source` / `destination` are whole endpoints, `cluster_name` included.)
    public static let fieldMask = [
        "IP.destination", "IP.source", "Type", "aggregate", "destination", "destination_names", "destination_service",
        "drop_reason", "drop_reason_desc", "is_reply", "l4", "l7", "node_name", "reply", "source", "time",
        "trace_observation_point", "trace_reason", "traffic_direction", "verdict",
    ]

    /// Mask paths an older Hubble does not know, newest first: `aggregate` (Cilium 1.19), `trace_reason` (1.16).
    /// Hubble refuses a whole mask with a path its Flow lacks (INVALID_ARGUMENT "invalid fieldmask"); such a server
    /// cannot send that field at all, so the request is repeated without it and nothing is lost.
    public static let newerMaskPaths = ["aggregate", "trace_reason"]

    /// The mask once the first `dropped` of `newerMaskPaths` are left out.
    public static func fieldMask(dropping dropped: Int) -> [String] {
        let drop = Set(newerMaskPaths.prefix(dropped))
        return fieldMask.filter { !drop.contains($0) }
    }
}

/// What a feed did.
public struct HubbleFeedReport: Sendable {
    public var flows: Int64 = 0
    /// Events Hubble reported lost (`lost_events`) before it could send them, by source.
    public var lostEvents: Int64 = 0
    public var lostBySource: [String: Int64] = [:]
    public var reconnects = 0
    /// The servers read (`nodes`: one per node).
    public var servers: [String] = []
    /// What the user should know: node status from Relay, reconnects and their reasons (in order).
    public var notes: [String] = []
    /// Set when a server could not be read (never reached, gave up): the input is incomplete.
    public var failures: [String] = []
}

/// Reads flows from Hubble's gRPC API and writes them as the JSON lines `hubble observe -o jsonpb` prints
/// (`GetFlowsResponse` with proto field names), one per flow, to a descriptor; `HubbleReader` reads them as it
/// reads any Hubble capture, so a flow means the same from a file and over gRPC. The descriptor is closed at
/// the end (the reader sees the end of its input).
public final class HubbleFeed: Sendable {
    let options: HubbleFeedOptions
    let state = Shared(HubbleFeedReport())
    let writer: LineWriter
    let done = DispatchSemaphore(value: 0)
    let task = Shared<Task<Void, Never>?>(nil)

    /// Checks the options (address, filters, TLS) before anything connects.
    public static func validate(_ o: HubbleFeedOptions) throws(HubbleFeedError) {
        _ = try HubbleTarget.parse(o.address, defaultPort: o.nodes ? 4244 : 4245)
        _ = try filters(o.allowlist, flag: "--hubble-allowlist")
        _ = try filters(o.denylist, flag: "--hubble-denylist")
        try o.tls.validate()
        if let s = o.since, let u = o.until, u < s { throw HubbleFeedError("--until is before --since: nothing to read") }
    }

    /// Starts reading in the background; lines go to `fd`.
    public static func start(_ o: HubbleFeedOptions, output fd: Int32) throws(HubbleFeedError) -> HubbleFeed {
        try validate(o)
        signal(SIGPIPE, SIG_IGN)  // a reader that stopped early shows as EPIPE, not a killed process
        let feed = HubbleFeed(options: o, writer: LineWriter(fd: fd))
        let t = Task.detached {
            await feed.run()
            feed.writer.close()
            feed.done.signal()
        }
        feed.task.withLock { $0 = t }
        return feed
    }

    init(options: HubbleFeedOptions, writer: LineWriter) {
        self.options = options
        self.writer = writer
    }

    /// Stops reading (the end of the watch or ingest).
    public func cancel() { task.withLock { $0?.cancel() } }

    /// Blocks until the feed has ended; its report.
    public func wait() -> HubbleFeedReport {
        done.wait()
        done.signal()
        return state.withLock { $0 }
    }

    static func filters(_ json: [String], flag: String) throws(HubbleFeedError) -> [Flow_FlowFilter] {
        var out: [Flow_FlowFilter] = []
        for j in json {
            do {
                out.append(try Flow_FlowFilter(jsonString: j))
            } catch {
                throw HubbleFeedError("\(flag) \(j): not a flow filter FlowMap sends (\(error)); use a JSON object "
                                      + "with source_ip, source_pod, source_label, destination_ip, destination_pod, "
                                      + "destination_label, destination_port, protocol, verdict, node_name or "
                                      + "traffic_direction lists, e.g. {\"source_pod\":[\"kube-system/\"]}")
            }
        }
        return out
    }

    func note(_ s: String) { state.withLock { $0.notes.append(s) } }

    /// A server (a node) that could not be read: the input is incomplete. Told at once through `onFailure` (a
    /// watch runs on), and kept for the end.
    func fail(_ s: String) {
        state.withLock { $0.failures.append(s) }
        options.onFailure?(s)
    }

    func run() async {
        guard let target = try? HubbleTarget.parse(options.address, defaultPort: options.nodes ? 4244 : 4245) else { return }
        if options.nodes {
            await readNodes(peers: target)
        } else {
            state.withLock { $0.servers.append(target.description) }
            await read(target, serverName: nil, label: target.description)
        }
    }

    // MARK: - One server

    /// Where a stream stopped, to resume after a dropped connection from the last flow's time without
    /// repeating a flow: the flows at exactly that time that were already written are skipped once.
    final class Resume: @unchecked Sendable {
        var lastTime: Int64?
        var atLast: [Flow_Flow] = []
        var skip: [Flow_Flow] = []
        var flows = 0
        /// The server accepted a stream at least once (a quiet server is not an unreachable one).
        var accepted = false
        /// How many of `HubbleFeedOptions.newerMaskPaths` this server refused (an older Hubble).
        var maskDropped = 0
        /// Messages received by the attempt under way (the idle limit's progress).
        let messages = Shared(0)
    }

    func request(_ r: Resume) throws -> Observer_GetFlowsRequest {
        var q = Observer_GetFlowsRequest()
        q.follow = options.follow
        q.whitelist = try Self.filters(options.allowlist, flag: "--hubble-allowlist")
        q.blacklist = try Self.filters(options.denylist, flag: "--hubble-denylist")
        q.fieldMask = Google_Protobuf_FieldMask(protoPaths: HubbleFeedOptions.fieldMask(dropping: r.maskDropped))
        if let since = r.lastTime ?? options.since {
            q.since = Self.timestamp(since)
        } else if options.until != nil {
            q.since = Google_Protobuf_Timestamp(seconds: 0, nanos: 0)
        } else {
            q.number = UInt64.max  // everything the server holds (`hubble observe --all`), then follow
        }
        if let u = options.until { q.until = Self.timestamp(u) }
        return q
    }

    static func timestamp(_ ns: Int64) -> Google_Protobuf_Timestamp {
        Google_Protobuf_Timestamp(seconds: ns / 1_000_000_000, nanos: Int32(ns % 1_000_000_000))
    }

    static func nanos(_ t: Google_Protobuf_Timestamp) -> Int64 {
        t.seconds &* 1_000_000_000 &+ Int64(t.nanos)
    }

    /// Reads one server's GetFlows stream, reconnecting with backoff (resuming from the last flow's time) until
    /// it ends (not following), the feed is cancelled, or `maxAttempts` attempts in a row bring nothing.
    func read(_ target: HubbleTarget, serverName: String?, label: String) async {
        let resume = Resume()
        var attempts = 0
        var backoff = HubbleFeedOptions.Backoff(options)
        var lastError: String?
        while !Task.isCancelled {
            let before = resume.flows
            var ended = false
            do {
                let transport = try target.transport(options, serverName: serverName)
                let req = try request(resume)
                try await idleLimited(resume, label: label) {
                    try await withGRPCClient(transport: transport) { client in
                        let observer = Observer_Observer.Client(wrapping: client)
                        try await observer.getFlows(req) { response in
                            if case .success = response.accepted { resume.accepted = true }
                            for try await m in response.messages {
                                resume.messages.withLock { $0 += 1 }
                                try self.handle(m, resume)
                            }
                        }
                    }
                }
                ended = true
            } catch {
                // The reader stopped (gRPC may wrap the error the handler threw) or the feed was cancelled.
                if writer.stopped { return }
                if Task.isCancelled { break }
                // (Hubble returns the mask's error as a plain Go error: UNKNOWN, or INVALID_ARGUMENT.)
                if let e = error as? RPCError, e.code == .invalidArgument || e.code == .unknown,
                   e.message.contains("fieldmask"),
                   resume.maskDropped < HubbleFeedOptions.newerMaskPaths.count {
                    let path = HubbleFeedOptions.newerMaskPaths[resume.maskDropped]
                    resume.maskDropped += 1
                    note("\(label): the server refused the field mask (\(e.message): an older Hubble); asking again "
                         + "without \(path), a field it cannot send")
                    continue
                }
                lastError = Self.describe(error)
                note("\(label): \(lastError!)")
            }
            if ended && !options.follow { return }
            if ended { note("\(label): the server ended the stream") }
            if resume.flows > before { attempts = 0; backoff.reset() }
            attempts += 1
            if attempts >= options.maxAttempts {
                fail("\(label): gave up after \(attempts) attempts without a flow; check the address "
                     + "(Relay: hubble-relay:4245 or `cilium hubble port-forward` then localhost:4245) and the TLS flags")
                return
            }
            // Resume from the last flow: the flows already written at that time are not written again.
            resume.skip = resume.atLast
            state.withLock { $0.reconnects += 1 }
            try? await Task.sleep(nanoseconds: UInt64(backoff.next() * 1e9))
        }
        // Stopped (the duration, a signal) after an attempt failed, the server never having accepted a stream nor
        // sent a flow: nothing was read because nothing was reached, a failure rather than a quiet cluster. (A
        // first attempt still open at the stop is not: a quiet gRPC server may send headers only with a flow.)
        if !resume.accepted && resume.flows == 0, let e = lastError {
            fail("\(label): not reached before the stop (\(e)); check the address and the TLS flags")
        }
    }

    struct WriteStopped: Error {}

    /// Runs one attempt; without `follow`, fails it (HubbleFeedError) once `idleSeconds` pass without a message.
    func idleLimited(_ resume: Resume, label: String, _ attempt: @escaping @Sendable () async throws -> Void)
        async throws {
        guard !options.follow, options.idleSeconds > 0 else { return try await attempt() }
        let limit = options.idleSeconds
        try await withThrowingTaskGroup(of: Void.self) { g in
            g.addTask { try await attempt() }
            g.addTask {
                var seen = resume.messages.withLock { $0 }
                while true {
                    try await Task.sleep(nanoseconds: UInt64(limit * 1e9))
                    let now = resume.messages.withLock { $0 }
                    if now == seen {
                        throw HubbleFeedError("no message for \(limit) s (the stream or the connection stalled)")
                    }
                    seen = now
                }
            }
            defer { g.cancelAll() }
            try await g.next()
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? RPCError {
            var s = "\(e.code): \(e.message)"
            if let c = e.cause { s += " (\(c))" }
            return s
        }
        return "\(error)"
    }

    static let jsonOptions: JSONEncodingOptions = {
        var o = JSONEncodingOptions()
        o.preserveProtoFieldNames = true
        return o
    }()

    func handle(_ m: Observer_GetFlowsResponse, _ r: Resume) throws {
        switch m.responseTypes {
        case .flow(let f):
            let t = Self.nanos(f.hasTime ? f.time : m.time)
            if let last = r.lastTime {
                if !r.skip.isEmpty {
                    if t < last { return }
                    if t == last, let i = r.skip.firstIndex(of: f) {
                        r.skip.remove(at: i)
                        return
                    }
                    if t > last { r.skip = [] }
                }
                if t > last {
                    r.lastTime = t
                    r.atLast = [f]
                } else if t == last {
                    r.atLast.append(f)
                }
            } else {
                r.lastTime = t
                r.atLast = [f]
            }
            var bytes: [UInt8] = try m.jsonUTF8Bytes(options: Self.jsonOptions)
            bytes.append(0x0A)
            guard writer.write(bytes) else { throw WriteStopped() }
            r.flows += 1
            state.withLock { $0.flows += 1 }
        case .lostEvents(let l):
            let source = Self.enumName(l, field: "source")
            state.withLock {
                $0.lostEvents += Int64(clamping: l.numEventsLost)
                $0.lostBySource[source, default: 0] += Int64(clamping: l.numEventsLost)
            }
        case .nodeStatus(let n):
            // Relay could not read a node (unavailable, or its stream failed): that node's flows are missing from the
            // stream, so the input is incomplete. A node that left the cluster (NODE_GONE) is only told.
            let nodes = n.nodeNames.sorted().joined(separator: ", ")
            let text = "Relay: \(Self.enumName(n, field: "state_change")) \(nodes)\(n.message.isEmpty ? "" : ": \(n.message)")"
            switch n.stateChange {
            case .nodeConnected: break
            case .nodeUnavailable, .nodeError:
                fail("\(text): that node's flows are missing (read every node with --hubble-nodes, or try again)")
            default: note(text)
            }
        case nil:
            break
        }
    }

    /// An enum field's proto name (`PERF_EVENT_RING_BUFFER`), as the message's JSON spells it.
    static func enumName(_ m: some SwiftProtobuf.Message, field: String) -> String {
        var o = JSONEncodingOptions()
        o.preserveProtoFieldNames = true
        o.alwaysPrintEnumsAsInts = false
        guard let d = try? m.jsonUTF8Data(options: o),
              let obj = try? JSONSerialization.jsonObject(with: d) as? [String: Any],
              let v = obj[field] else { return "UNKNOWN" }
        return "\(v)"
    }

    // MARK: - Every node (Peer/Notify)

    /// Asks Peer/Notify for the nodes and reads each node's server in parallel; a node added later is read
    /// when it appears, a deleted one is stopped. Not following: once Notify has been quiet for
    /// `settleSeconds`, the nodes known are read to their end.
    func readNodes(peers: HubbleTarget) async {
        let known = Shared<[String: Task<Void, Never>]>([:])
        let lastChange = Shared(ProcessInfo.processInfo.systemUptime)
        let notifyFailed = Shared(false)
        let heard = Shared(false)
        let notify = Task {
            var attempts = 0
            var backoff = HubbleFeedOptions.Backoff(options)
            while !Task.isCancelled {
                do {
                    let transport = try peers.transport(options)
                    try await withGRPCClient(transport: transport) { client in
                        let peer = Peer_Peer.Client(wrapping: client)
                        try await peer.notify(Peer_NotifyRequest()) { response in
                            for try await c in response.messages {
                                heard.withLock { $0 = true }
                                lastChange.withLock { $0 = ProcessInfo.processInfo.systemUptime }
                                self.change(c, known: known)
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    note("\(peers) (peer.Peer/Notify): \(Self.describe(error))")
                }
                if heard.withLock({ let h = $0; $0 = false; return h }) { attempts = 0; backoff.reset() }
                attempts += 1
                if attempts >= options.maxAttempts {
                    notifyFailed.withLock { $0 = true }
                    fail("\(peers): peer.Peer/Notify gave up after \(attempts) attempts; --hubble-nodes needs a node's "
                         + "Hubble server (port 4244) or the hubble-peer service")
                    return
                }
                try? await Task.sleep(nanoseconds: UInt64(backoff.next() * 1e9))
            }
        }
        if options.follow {
            await withTaskCancellationHandler {
                await notify.value
            } onCancel: {
                notify.cancel()
            }
            for t in known.withLock({ Array($0.values) }) { t.cancel() }
        } else {
            while !Task.isCancelled && !notifyFailed.withLock({ $0 }) {
                let quiet = ProcessInfo.processInfo.systemUptime - lastChange.withLock { $0 }
                if quiet >= options.settleSeconds && !known.withLock({ $0.isEmpty }) { break }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            notify.cancel()
            if Task.isCancelled { for t in known.withLock({ Array($0.values) }) { t.cancel() } }
        }
        for t in known.withLock({ Array($0.values) }) { await t.value }
    }

    func change(_ c: Peer_ChangeNotification, known: Shared<[String: Task<Void, Never>]>) {
        switch c.type {
        case .peerAdded, .peerUpdated:
            guard let target = try? HubbleTarget.parse(c.address, defaultPort: 4244) else {
                fail("node \(c.name): Peer/Notify gave an address that cannot be read (\(c.address)); its flows are "
                     + "missing")
                return
            }
            let name = c.name.isEmpty ? target.description : c.name
            let serverName = c.hasTls && !c.tls.serverName.isEmpty ? c.tls.serverName : nil
            known.withLock { k in
                if c.type == .peerUpdated, let old = k[name] { old.cancel() } else if k[name] != nil { return }
                state.withLock { $0.servers.append("\(name) (\(target))") }
                k[name] = Task { await self.read(target, serverName: serverName, label: "node \(name) (\(target))") }
            }
        case .peerDeleted:
            known.withLock { k in
                k[c.name]?.cancel()
                k[c.name] = nil
            }
            note("node \(c.name): left the cluster; no longer read")
        default:
            break
        }
    }
}

/// Writes whole lines to a descriptor from several tasks (nodes read in parallel): one line is never split by
/// another. False once the reader has gone (EPIPE).
final class LineWriter: Sendable {
    let fd: Int32
    /// (the reader went away, the descriptor was closed)
    let lock = Mutex((broken: false, closed: false))

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) -> Bool {
        lock.withLock { st in
            guard !st.broken && !st.closed else { return false }
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { p in Glibc.write(fd, p.baseAddress! + off, p.count - off) }
                if n < 0 {
                    if errno == EINTR { continue }
                    st.broken = true
                    return false
                }
                off += n
            }
            return true
        }
    }

    var stopped: Bool { lock.withLock { $0.broken || $0.closed } }

    func close() {
        lock.withLock { st in
            if !st.closed { _ = Glibc.close(fd) }
            st.closed = true
        }
    }
}

/// A value shared between tasks (a class, so escaping closures can hold it).
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ v: Value) { mutex = Mutex(v) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
