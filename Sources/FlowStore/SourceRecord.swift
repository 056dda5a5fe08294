import FlowModel

/// One ingested file or stream batch.
public struct SourceRecord: Sendable, Hashable {
    public var path: String
    public var format: String
    public var contentHash: String?
    public var ingestedAt: Int64
    public var counts: IngestCounts
}
