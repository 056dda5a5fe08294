/// Flows of an IP-only format (VPC, generic records) with an address no inventory knew when they were read: kept
/// per edge, bucket and observation point with the addresses as read, so that a later inventory can map them
/// (`flowmap remap`) and move their counts onto the workloads' edges.
public struct UnmappedFlow: Sendable, Hashable {
    /// Which ends were not known (`sourceUnknown`, `destinationUnknown`).
    public var sides: UInt8
    public var sourceIP: String
    public var destinationIP: String
    public var edge: BucketedEdge
    /// The observation point (`direction/point`) the flows are counted under.
    public var point: String
    public var stats: EdgeStats

    public static let sourceUnknown: UInt8 = 1
    public static let destinationUnknown: UInt8 = 2

    public init(sides: UInt8, sourceIP: String, destinationIP: String, edge: BucketedEdge, point: String,
                stats: EdgeStats) {
        self.sides = sides
        self.sourceIP = sourceIP
        self.destinationIP = destinationIP
        self.edge = edge
        self.point = point
        self.stats = stats
    }
}

extension Flow {
    /// For IP-only readers, which map addresses through the inventory and fall back to an external peer: the
    /// ends that fell back (an external endpoint with an address).
    public static func unknownSides(_ f: Flow) -> UInt8 {
        var s: UInt8 = 0
        if f.source.endpoint.kind == .external && !f.source.ip.isEmpty { s |= UnmappedFlow.sourceUnknown }
        if f.destination.endpoint.kind == .external && !f.destination.ip.isEmpty { s |= UnmappedFlow.destinationUnknown }
        return s
    }
}
