import FlowModel

/// One ingested file or stream.
public struct SourceRecord: Sendable, Hashable {
    /// The store's id of the source (`flowmap forget` takes it).
    public var id: Int64 = 0
    public var path: String
    public var format: String
    public var contentHash: String?
    public var ingestedAt: Int64
    public var counts: IngestCounts
    /// Earliest first seen and latest last seen of its edges; nil without edges or when ingested before
    /// schema 7.
    public var firstFlow: Int64? = nil
    public var lastFlow: Int64? = nil
    /// False for sources ingested before schema 7: their counts are merged with the others' and cannot be
    /// forgotten one by one.
    public var attributed: Bool = true
}
