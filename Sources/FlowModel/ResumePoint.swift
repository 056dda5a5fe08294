/// Where an earlier ingest of a file stopped, so that a later ingest of the same file grown reads only what was
/// appended. The earlier file is recognised by its bytes, not its name: the first `rawLength` bytes of the new file
/// must hash to `contentHash` (a log renamed by rotation resumes too).
public struct ResumePoint: Sendable, Hashable {
    /// The earlier source's path, for the report.
    public var path: String
    /// Bytes of the file the earlier content hash covers (its whole size then; compressed size for gzip).
    public var rawLength: Int64
    /// SHA-256 of those bytes (`sha256:…`), the earlier source's content hash.
    public var contentHash: String
    /// Decoded bytes read up to the end of the last complete line that was counted: reading goes on from here.
    public var offset: Int64
    /// What the reader needs to read on from `offset` (a CSV header, a VPC field list), nil when nothing.
    public var readerState: String?

    public init(path: String, rawLength: Int64, contentHash: String, offset: Int64, readerState: String?) {
        self.path = path
        self.rawLength = rawLength
        self.contentHash = contentHash
        self.offset = offset
        self.readerState = readerState
    }
}

/// What a file ingest records for a later `ResumePoint` (set on the final chunk of a regular file).
public struct ResumeRecord: Sendable, Hashable {
    /// Bytes the content hash covers.
    public var rawLength: Int64
    /// Decoded bytes up to the end of the last counted line; nil when the file ended inside a multi-line record
    /// (it cannot be resumed: a later ingest of it grown reads it as new).
    public var offset: Int64?
    public var readerState: String?
    /// SHA-256 of the first min(rawLength, `ResumeRecord.headBytes`) bytes: finds candidates without reading them.
    public var headHash: String
    /// Set when this ingest went on from an earlier one.
    public var resumedFrom: ResumePoint?

    public static let headBytes: Int64 = 65_536

    public init(rawLength: Int64, offset: Int64?, readerState: String?, headHash: String, resumedFrom: ResumePoint?) {
        self.rawLength = rawLength
        self.offset = offset
        self.readerState = readerState
        self.headHash = headHash
        self.resumedFrom = resumedFrom
    }
}
