import FlowIngest
import FlowModel
import TestSupport
import Testing
@testable import Inference

/// Evidence-based replies (issue 14): every generated connection replayed as flows, each forward leg with a
/// random kind of evidence (SYN, `is_reply: false`, trace NEW, or none) and each reply leg with another
/// (SYN+ACK, `is_reply: true`, REPLY, or none: a FIN/ACK from the service port, which may be any number, e.g.
/// 9080 or 5001). Through `FlowAggregator` the flows must give exactly the connections' edges: no reply becomes
/// an edge, in any order of the flows. Client ports are ephemeral; service ports never are.
@Suite("Property: replies never become edges (FlowAggregator)")
struct ReplyPropertyTests {
    static func flows(_ c: GeneratedCluster, rng: inout SeededRNG) -> [Flow] {
        let ips = Dictionary(c.pods.filter(\.observed).map { ($0.workload, $0.ip) }) { a, _ in a }
        var out: [Flow] = []
        for (i, conn) in c.allowed.sorted(by: { $0.description < $1.description }).enumerated()
        where conn.proto == .tcp || conn.proto == .udp {
            let client = UInt16(33000 + i)
            func peer(_ ep: Endpoint) -> FlowPeer { FlowPeer(endpoint: ep, ip: ips[ep] ?? "") }
            var fwd = Flow(time: 1, source: peer(conn.src), destination: peer(conn.dst), proto: conn.proto,
                           sourcePort: client, destinationPort: conn.port)
            var back = Flow(time: 2, source: peer(conn.dst), destination: peer(conn.src), proto: conn.proto,
                            sourcePort: conn.port, destinationPort: client)
            switch rng.int(0...3) {
            case 0 where conn.proto == .tcp: fwd.tcpFlags = .syn
            case 1: fwd.isReply = false
            case 2: fwd.traceReason = "NEW"
            default: break
            }
            switch rng.int(0...3) {
            case 0 where conn.proto == .tcp: back.tcpFlags = [.syn, .ack]
            case 1: back.isReply = true
            case 2: back.traceReason = "REPLY"
            default: back.tcpFlags = conn.proto == .tcp ? [.fin, .ack] : nil
            }
            out += [fwd, back]
        }
        return out
    }

    @Test("the flows of every connection give exactly its edge", arguments: PlanPropertyTests.seeds.prefix(24))
    func repliesMakeNoEdges(seed: UInt64) {
        let c = ClusterGenerator.make(seed: seed)
        var rng = SeededRNG(propertySeed: seed ^ 0xAB)
        var flows = Self.flows(c, rng: &rng)
        flows.shuffle(using: &rng)
        var agg = FlowAggregator()
        for f in flows { agg.add(f) }
        let (batch, counts) = agg.take()
        let got = Set(batch.edges.keys.map { "\($0.source) -> \($0.destination) \($0.proto.rawValue)/\($0.port)" })
        let want = Set(c.allowed.filter { $0.proto == .tcp || $0.proto == .udp }.map(\.description))
        #expect(got == want, "seed \(seed): extra \(got.subtracting(want).sorted()), missing \(want.subtracting(got).sorted())")
        #expect(counts.replies + (counts.replyRules["undecided"] ?? 0) == Int64(flows.count / 2), "seed \(seed)")
    }
}
