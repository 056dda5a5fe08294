/// Decides whether a flow event travels in the reply direction of its connection, so that no edge is built
/// from reply traffic (NetworkPolicy is stateful: replies are implicitly allowed and need no rule).
/// The rules are tried in order; the first that can decide wins. Counting which rule decided is the caller's job.
public enum ReplyRule: String, Sendable, Hashable, CaseIterable, Codable {
    /// The producer said so (`is_reply`, legacy `reply`).
    case reported
    /// TCP: SYN without ACK opens a connection; SYN+ACK answers one.
    case tcpFlags
    /// Hubble `trace_reason`: NEW / ESTABLISHED are forward, REPLY is a reply.
    case traceReason
    /// Well-known port heuristic: traffic from a port below 1024 (or a known service port) to an ephemeral port
    /// is a reply.
    case portHeuristic
    /// Nothing could decide; treated as a forward flow.
    case undecided

    /// Returns (isReply, rule that decided).
    public static func classify(_ flow: Flow) -> (isReply: Bool, rule: ReplyRule) {
        classify(isReply: flow.isReply, proto: flow.proto, tcpFlags: flow.tcpFlags,
                 traceReason: TraceReason(flow.traceReason), sourcePort: flow.sourcePort,
                 destinationPort: flow.destinationPort)
    }

    /// The Hubble trace reasons the rules look at.
    public enum TraceReason: UInt8, Sendable {
        case other, new, established, reply
        public init(_ text: String) {
            switch text {
            case "NEW": self = .new
            case "ESTABLISHED": self = .established
            case "REPLY": self = .reply
            default: self = .other
            }
        }
    }

    /// The rules on the fields they use (the decoders' fast path calls this without building a `Flow`).
    @inline(__always)
    public static func classify(isReply: Bool?, proto: Proto, tcpFlags: TCPFlags?, traceReason: TraceReason,
                                sourcePort s: UInt16, destinationPort d: UInt16) -> (isReply: Bool, rule: ReplyRule) {
        if let r = isReply { return (r, .reported) }
        if proto == .tcp, let f = tcpFlags, f.contains(.syn) {
            return (f.contains(.ack), .tcpFlags)
        }
        switch traceReason {
        case .new, .established: return (false, .traceReason)
        case .reply: return (true, .traceReason)
        case .other: break
        }
        if proto == .tcp || proto == .udp || proto == .sctp {
            if s != 0 && d != 0 {
                let sWell = isServicePort(s), dWell = isServicePort(d)
                if sWell && !dWell && d >= 32768 { return (true, .portHeuristic) }
                if dWell && !sWell { return (false, .portHeuristic) }
            }
        }
        return (false, .undecided)
    }

    /// Position of each rule in `allCases` (for counters kept in arrays).
    public var index: Int {
        switch self {
        case .reported: return 0
        case .tcpFlags: return 1
        case .traceReason: return 2
        case .portHeuristic: return 3
        case .undecided: return 4
        }
    }

    /// Ports below 1024 plus common service ports above it.
    public static func isServicePort(_ p: UInt16) -> Bool {
        if p < 1024 { return true }
        switch p {
        case 2379, 2380, 3000, 3306, 4317, 4318, 5432, 5672, 6379, 6443, 8080, 8443, 8000, 8888, 9000, 9090,
             9091, 9093, 9100, 9200, 9300, 9153, 9253, 10250, 10255, 11211, 15000, 15001, 15006, 15020, 15021,
             15090, 27017:
            return true
        default:
            return false
        }
    }
}
