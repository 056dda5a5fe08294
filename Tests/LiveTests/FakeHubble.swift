import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import HubbleAPI
import SwiftProtobuf
import Synchronization
import TestSupport

/// The repository's real Hubble captures (samples/hubble, see SOURCES.md there) as GetFlowsResponse messages.
enum Samples {
    static let repoRoot = Repository.root

    /// Captures with envelope lines and bare flows, L4 and L7, several nodes.
    static let files = ["samples/hubble/tke-guide/exporter-cilium-1.19.1.jsonl",
                        "samples/hubble/hubble-otel/basic-sample-400-tcp-flows.json",
                        "samples/hubble/hubble-otel/basic-sample-5-http-flows.json",
                        "samples/hubble/hubble-otel/basic-sample-5-dns-flows.json",
                        "samples/hubble/hubble-otel/basic-sample-400-udp-flows.json"]

    /// Each flow line the fake server can serve, with the message it serves for it.
    static func flows(_ paths: [String] = files) throws -> [(line: String, message: Observer_GetFlowsResponse)] {
        var lines: [String] = []
        for p in paths {
            let text = try String(contentsOf: repoRoot.appendingPathComponent(p), encoding: .utf8)
            lines += text.split(separator: "\n").map(String.init)
        }
        return messages(lines)
    }

    /// The flow lines among `lines` (`hubble observe -o jsonpb` envelopes or bare flows) with their messages, as
    /// a server holding those flows sends them (fields the API subset does not declare are dropped, as the
    /// decoder drops them from a real server).
    static func messages(_ lines: [String]) -> [(line: String, message: Observer_GetFlowsResponse)] {
        var out: [(String, Observer_GetFlowsResponse)] = []
        var o = JSONDecodingOptions()
        o.ignoreUnknownFields = true
        for s in lines where !s.allSatisfy(\.isWhitespace) {
            if let m = try? Observer_GetFlowsResponse(jsonString: s, options: o), case .flow = m.responseTypes {
                out.append((s, m))
            } else if let f = try? Flow_Flow(jsonString: s, options: o), f.hasTime {
                var m = Observer_GetFlowsResponse()
                m.flow = f
                m.nodeName = f.nodeName
                m.time = f.time
                out.append((s, m))
            }
        }
        return out
    }

    static func nanos(_ t: Google_Protobuf_Timestamp) -> Int64 { t.seconds * 1_000_000_000 + Int64(t.nanos) }
}

/// Holds the first call of every observer sharing it until `count` calls are open at once (nodes read in
/// parallel); `timedOut` when they never were within `seconds` (then each call goes on alone).
final class Gate: Sendable {
    let count: Int
    let seconds: Double
    let arrived = Mutex(0)
    let timedOut = Mutex(false)
    init(count: Int, seconds: Double = 10) {
        self.count = count
        self.seconds = seconds
    }

    func pass() async {
        arrived.withLock { $0 += 1 }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while arrived.withLock({ $0 }) < count {
            if ContinuousClock.now > deadline {
                timedOut.withLock { $0 = true }
                return
            }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }
}

/// observer.Observer/GetFlows over a fixed list of events, as Hubble serves its ring buffer: time order,
/// `since`/`until`, the field mask applied, `follow` holding the stream open. `dropAfter`: the first call fails
/// (UNAVAILABLE) after that many flows, as a connection lost mid-stream. `knownPaths`: the top-level Flow fields of
/// an older Hubble; a mask naming another is refused as Hubble refuses it (a plain error: UNKNOWN "invalid
/// fieldmask"). `gate`: the first call waits there for the other nodes' first calls.
final class FakeObserver: Observer_Observer.SimpleServiceProtocol, Sendable {
    let events: [Observer_GetFlowsResponse]
    let dropAfter: Int?
    let knownPaths: Set<String>?
    let gate: Gate?
    /// The first call stops sending after that many flows and holds the stream open, silent (a stalled stream).
    let stallAfter: Int?
    let calls = Mutex(0)
    let requests = Mutex<[Observer_GetFlowsRequest]>([])
    /// Calls that wrote every event they were to serve (a following call then holds the stream open).
    let served = Mutex(0)

    init(events: [Observer_GetFlowsResponse], dropAfter: Int? = nil, knownPaths: Set<String>? = nil,
         gate: Gate? = nil, stallAfter: Int? = nil) {
        // Hubble's buffer is in time order; lost_events stay where they were put.
        self.stallAfter = stallAfter
        self.events = events
        self.dropAfter = dropAfter
        self.knownPaths = knownPaths
        self.gate = gate
    }

    func getFlows(request: Observer_GetFlowsRequest, response: RPCWriter<Observer_GetFlowsResponse>,
                  context: ServerContext) async throws {
        let call = calls.withLock { $0 += 1; return $0 }
        requests.withLock { $0.append(request) }
        if let known = knownPaths,
           request.fieldMask.paths.contains(where: { !known.contains(String($0.split(separator: ".")[0])) }) {
            throw RPCError(code: .unknown, message: "invalid fieldmask")
        }
        if call == 1, let g = gate { await g.pass() }
        let since = request.hasSince ? Samples.nanos(request.since) : Int64.min
        let until = request.hasUntil ? Samples.nanos(request.until) : Int64.max
        var sent = 0
        for e in events {
            guard case .flow(var f) = e.responseTypes else {
                if call == 1 { try await response.write(e) }
                continue
            }
            let t = Samples.nanos(f.time)
            guard t >= since && t <= until else { continue }
            if let d = dropAfter, call == 1, sent == d {
                throw RPCError(code: .unavailable, message: "connection lost (test)")
            }
            if let s = stallAfter, call == 1, sent == s {
                while !Task.isCancelled { try await Task.sleep(nanoseconds: 20_000_000) }
                return
            }
            if request.hasFieldMask { f.trim(keeping: request.fieldMask) }
            var m = e
            m.flow = f
            try await response.write(m)
            sent += 1
        }
        served.withLock { $0 += 1 }
        if request.follow {
            while !Task.isCancelled { try await Task.sleep(nanoseconds: 20_000_000) }
        }
    }
}

/// peer.Peer/Notify: every node as PEER_ADDED, then the stream stays open (as Hubble's does).
final class FakePeer: Peer_Peer.SimpleServiceProtocol, Sendable {
    let peers: [(name: String, address: String)]
    init(peers: [(name: String, address: String)]) { self.peers = peers }

    func notify(request: Peer_NotifyRequest, response: RPCWriter<Peer_ChangeNotification>,
                context: ServerContext) async throws {
        for p in peers {
            var c = Peer_ChangeNotification()
            c.name = p.name
            c.address = p.address
            c.type = .peerAdded
            try await response.write(c)
        }
        while !Task.isCancelled { try await Task.sleep(nanoseconds: 20_000_000) }
    }
}

/// A gRPC server on 127.0.0.1 (an ephemeral port) serving `services` until stopped.
final class LoopbackServer: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    static func start(_ services: [any RegistrableRPCService],
                      security: HTTP2ServerTransport.Posix.TransportSecurity = .plaintext,
                      config: HTTP2ServerTransport.Posix.Config = .defaults) async throws -> LoopbackServer {
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0),
                                                   transportSecurity: security, config: config)
        let server = GRPCServer(transport: transport, services: services)
        // On threads of its own: see ServerThreads.
        let task = Task(executorPreference: ServerThreads.shared) { try await server.serve() }
        let address = try await transport.listeningAddress
        guard let port = address.ipv4?.port else { throw RPCError(code: .internalError, message: "no port") }
        return LoopbackServer(port: port, task: task)
    }

    var address: String { "127.0.0.1:\(port)" }

    func stop() { task.cancel() }
}

/// Runs blocking work (the ingest driver reading a pipe) on a thread of its own, so it never holds one of the
/// few cooperative threads the gRPC client and server need.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        let t = Thread { c.resume(with: Result { try body() }) }
        t.stackSize = 8 << 20
        t.start()
    }
}
