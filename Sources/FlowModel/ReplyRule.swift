/// Decides whether a flow event travels in the reply direction of its connection, so that no edge is built
/// from reply traffic (NetworkPolicy is stateful: replies are implicitly allowed and need no rule).
/// The rules are tried in order; the first that can decide wins. Counting which rule decided is the caller's job.
/// The per-flow rules (`classify`) use only the flow's own fields; what they leave open (`undecided`) is decided
/// from evidence about the ports (`FlowAggregator`, at the end of a batch): a port is a *listening port* of a
/// workload when the capture saw it opened (TCP SYN without ACK, `is_reply: false`, trace reason NEW, or answered:
/// SYN+ACK, `is_reply: true`, REPLY from it) or the inventory declares it (containerPort, Service targetPort).
public enum ReplyRule: String, Sendable, Hashable, CaseIterable, Codable {
    /// The producer said so (`is_reply`, legacy `reply`).
    case reported
    /// TCP: SYN without ACK opens a connection; SYN+ACK answers one.
    case tcpFlags
    /// Hubble `trace_reason`: NEW / ESTABLISHED are forward, REPLY is a reply.
    case traceReason
    /// From a listening port to a port that is not one: a reply; to a listening port: forward.
    case listeningPort
    /// No listening port known on either end, from a port in the ephemeral range to one outside it: forward.
    case ephemeralPort
    /// Nothing could decide. To a port in the ephemeral range: no edge (a rule there would be a reply's);
    /// otherwise treated as forward. Either way the flow is named (`IngestCounts.unoriented`).
    case undecided

    /// Returns (isReply, rule that decided, whether the flow is evidence that its destination port listens).
    /// `undecided` is provisional: the aggregator decides such flows from listening ports.
    public static func classify(_ flow: Flow) -> (isReply: Bool, rule: ReplyRule, opens: Bool) {
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
    /// `opens`: a forward flow that shows its destination port listening (SYN, `is_reply: false`, NEW); for a
    /// reply decided here, the reply's source port listens.
    @inline(__always)
    public static func classify(isReply: Bool?, proto: Proto, tcpFlags: TCPFlags?, traceReason: TraceReason,
                                sourcePort s: UInt16, destinationPort d: UInt16)
        -> (isReply: Bool, rule: ReplyRule, opens: Bool) {
        if let r = isReply { return (r, .reported, true) }
        if proto == .tcp, let f = tcpFlags, f.contains(.syn) {
            return (f.contains(.ack), .tcpFlags, true)
        }
        switch traceReason {
        case .new: return (false, .traceReason, true)
        case .established: return (false, .traceReason, false)
        case .reply: return (true, .traceReason, true)
        case .other: break
        }
        return (false, .undecided, false)
    }

    /// Position of each rule in `allCases` (for counters kept in arrays).
    public var index: Int {
        switch self {
        case .reported: return 0
        case .tcpFlags: return 1
        case .traceReason: return 2
        case .listeningPort: return 3
        case .ephemeralPort: return 4
        case .undecided: return 5
        }
    }

    /// Ports operating systems hand out as client ports: Linux's default 32768–60999 and the IANA range
    /// 49152–65535 (Windows, BSD), together 32768–65535.
    public static func isEphemeral(_ p: UInt16) -> Bool { p >= 32768 }
}
