/// Which side observed a flow event (Hubble `traffic_direction`, Calico `reporter`).
public enum Direction: String, Sendable, Hashable, Codable {
    case ingress, egress, unknown
}

/// TCP flags that matter for telling who opened a connection.
public struct TCPFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let syn = TCPFlags(rawValue: 1 << 0)
    public static let ack = TCPFlags(rawValue: 1 << 1)
    public static let fin = TCPFlags(rawValue: 1 << 2)
    public static let rst = TCPFlags(rawValue: 1 << 3)
    public static let psh = TCPFlags(rawValue: 1 << 4)
}

/// One decoded flow record from any source format.
public struct Flow: Sendable, Hashable {
    /// Nanoseconds since the Unix epoch. For a record that aggregates an interval (Calico, VPC), its start.
    public var time: Int64
    /// End of the interval an aggregated record covers (nanoseconds); nil for per-event formats.
    public var endTime: Int64?
    public var source: FlowPeer
    public var destination: FlowPeer
    public var proto: Proto
    public var sourcePort: UInt16
    /// Destination port; 0 for ICMP and other portless protocols.
    public var destinationPort: UInt16
    public var verdict: Verdict
    /// Hubble `drop_reason_desc` or the format's equivalent; empty when not dropped.
    public var dropReason: String
    /// Observation side; used to avoid counting one connection twice when both ends report it.
    public var direction: Direction
    /// Observation point (Hubble `trace_observation_point`), empty when unknown.
    public var observationPoint: String
    /// `is_reply` as reported: nil when the producer did not say.
    public var isReply: Bool?
    public var tcpFlags: TCPFlags?
    /// Hubble `trace_reason` (NEW, ESTABLISHED, REPLY ...), empty when absent.
    public var traceReason: String
    /// How many flows this record stands for (Calico `num_flows`); 1 for per-event formats.
    public var weight: Int64
    public var l7: L7Request?
    /// IP-only formats: the ends whose address no inventory knew (`UnmappedFlow.sourceUnknown` | `…destinationUnknown`).
    public var unknownSides: UInt8 = 0
    /// The Service (`namespace/name`) the flow was addressed to, when an IP-only format's destination was an
    /// inventory ClusterIP (`AddressBook.service`); empty otherwise. Kept per destination (`FlowAggregator.noteService`).
    public var destinationService: String = ""

    public init(time: Int64, source: FlowPeer, destination: FlowPeer, proto: Proto, sourcePort: UInt16 = 0,
                destinationPort: UInt16, verdict: Verdict = .forwarded, dropReason: String = "",
                direction: Direction = .unknown, observationPoint: String = "", isReply: Bool? = nil,
                tcpFlags: TCPFlags? = nil, traceReason: String = "", weight: Int64 = 1, l7: L7Request? = nil, endTime: Int64? = nil) {
        self.time = time
        self.endTime = endTime
        self.source = source
        self.destination = destination
        self.proto = proto
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.verdict = verdict
        self.dropReason = dropReason
        self.direction = direction
        self.observationPoint = observationPoint
        self.isReply = isReply
        self.tcpFlags = tcpFlags
        self.traceReason = traceReason
        self.weight = weight
        self.l7 = l7
    }
}
