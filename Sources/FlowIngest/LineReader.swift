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

    /// What the lines after a point depend on (a CSV header, a VPC field list and the connections seen opened, a
    /// record spanning lines); `Void` for readers whose lines are independent.
    associatedtype Order = Void
    /// True when a worker's lines depend on `order` (its reading is then checked by `join`).
    var isOrdered: Bool { get }
    /// The order in effect now, before the main thread reads its share of a split chunk.
    var order: Order { get }
    /// The worker (a `makeParallelReader()` reader) takes `order` before reading the lines after the main share.
    mutating func start(from order: Order)
    /// Main, after its share: true when the worker's reading (from `start(from: order)`) is what this reader would
    /// have made of those lines, i.e. its share left the order as it was; it then takes the worker's state at the
    /// worker's end. False: the worker's result is dropped and this reader reads the worker's lines itself.
    mutating func join(_ worker: inout Self, since order: Order) -> Bool
}

extension LineReader {
    public func makeParallelReader() -> Self? { nil }
    public mutating func finish(into aggregator: inout FlowAggregator) -> LineResult? { nil }
    public var resumeState: String? { nil }
    public mutating func resume(from state: String) {}
}

extension LineReader where Order == Void {
    public var isOrdered: Bool { false }
    public var order: Void { () }
    public mutating func start(from order: Void) {}
    public mutating func join(_ worker: inout Self, since order: Void) -> Bool { true }
}
