import FlowModel

/// What a reader made of one line.
public enum LineResult: Sendable, Equatable {
    /// A flow, added to the aggregator.
    case accepted
    /// A valid record that is not a flow (status lines, NODATA, a header).
    case skipped
    /// A malformed record: the field (JSON path or column) and what is wrong.
    case rejected(field: String, message: String)
    /// The line is part of a record that continues on the next line (a pretty-printed JSON object). The record
    /// is counted once, and its issues are reported at the line where it starts. Readers that return it must
    /// not offer a parallel reader.
    case pending
}

/// One reader per line-oriented format. Readers are stateful (a CSV header, a VPC field list) and see each
/// line without its newline.
public protocol LineReader {
    mutating func read(line: UnsafeRawBufferPointer, into aggregator: inout FlowAggregator) -> LineResult
    /// A fresh reader for a second worker thread that reads other lines of the same input into its own
    /// aggregator, or nil when lines must be read in order by one reader (a CSV header, a field list, records
    /// spanning lines).
    func makeParallelReader() -> Self?
    /// Called once after the last line. A reader still holding an unfinished multi-line record says what it is.
    mutating func finish(into aggregator: inout FlowAggregator) -> LineResult?
    /// What a later read of the same input, going on after the lines read so far, needs to know (a CSV header, a
    /// VPC field list); nil when nothing. Kept with the source so a grown file is read from where it stopped.
    var resumeState: String? { get }
    /// Takes back a `resumeState` before the first line of such a read.
    mutating func resume(from state: String)
}

extension LineReader {
    public func makeParallelReader() -> Self? { nil }
    public mutating func finish(into aggregator: inout FlowAggregator) -> LineResult? { nil }
    public var resumeState: String? { nil }
    public mutating func resume(from state: String) {}
}
