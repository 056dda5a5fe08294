import FlowModel

/// One of the line readers, chosen at run time.
public enum AnyLineReader: LineReader {
    case hubble(HubbleReader)
    case calico(CalicoReader)
    case vpc(VPCReader)
    case record(FlowRecordReader)
    /// Held only while a reader's own `read` / `finish` / `resume` runs, so the reader taken out of the enum is
    /// uniquely referenced and mutates in place. Before, the placeholder was `.hubble(HubbleReader())`: a new
    /// HubbleReader (and its caches) built and dropped per line, about a quarter of `flowmap ingest`'s CPU samples on
    /// a VPC log (issue 22, perf).
    case taken

    /// The reader for a line format; nil for `auto` and `inventory` (not line formats).
    public static func make(_ format: InputFormat, addressBook: AddressBook?) -> AnyLineReader? {
        switch format {
        case .hubble: return .hubble(HubbleReader())
        case .calico: return .calico(CalicoReader())
        case .vpc: return .vpc(VPCReader(addressBook: addressBook))
        case .flowmapCSV: return .record(FlowRecordReader(syntax: .csv, addressBook: addressBook))
        case .flowmapJSONL: return .record(FlowRecordReader(syntax: .jsonl, addressBook: addressBook))
        case .auto, .inventory: return nil
        }
    }

    public mutating func read(line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        switch self {
        case .hubble(var r):
            defer { self = .hubble(r) }
            return r.read(line: line, into: &agg)
        case .calico(var r):
            self = .taken  // drop the enum's reference so `r` mutates in place
            defer { self = .calico(r) }
            return r.read(line: line, into: &agg)
        case .vpc(var r):
            self = .taken  // drop the enum's reference so `r` mutates in place
            defer { self = .vpc(r) }
            return r.read(line: line, into: &agg)
        case .record(var r):
            self = .taken  // drop the enum's reference so `r` mutates in place
            defer { self = .record(r) }
            return r.read(line: line, into: &agg)
        case .taken:
            preconditionFailure("AnyLineReader.read re-entered while its reader is taken out")
        }
    }

    public var resumeState: String? {
        switch self {
        case .hubble, .taken: return nil
        case .calico(let r): return r.resumeState
        case .vpc(let r): return r.resumeState
        case .record(let r): return r.resumeState
        }
    }

    public mutating func resume(from state: String) {
        switch self {
        case .hubble, .calico, .taken: return
        case .vpc(var r):
            self = .taken
            r.resume(from: state)
            self = .vpc(r)
        case .record(var r):
            self = .taken
            r.resume(from: state)
            self = .record(r)
        }
    }

    public mutating func finish(into agg: inout FlowAggregator) -> LineResult? {
        switch self {
        case .hubble, .taken:
            return nil  // one record per line
        case .calico(var r):
            self = .taken  // drop the enum's reference so `r` mutates in place
            defer { self = .calico(r) }
            return r.finish(into: &agg)
        case .vpc(var r):
            self = .taken  // drop the enum's reference so `r` mutates in place
            defer { self = .vpc(r) }
            return r.finish(into: &agg)
        case .record(var r):
            self = .taken  // drop the enum's reference so `r` mutates in place
            defer { self = .record(r) }
            return r.finish(into: &agg)
        }
    }
}

/// For streams (stdin) with `--format auto`: detects the format from the first non-empty line (or, when the
/// input starts with a pretty-printed JSON object, from that whole object), then reads everything with that
/// format's reader. Files are detected before reading instead (see FlowMapKit's Ingest).
public struct AutoReader: LineReader {
    /// Shared, so a caller can read the choice while the reader is being driven.
    public final class Choice {
        public internal(set) var detection: FormatDetector.Detection? {
            didSet { if let d = detection, oldValue == nil { onDetect?(d) } }
        }
        /// Told once, when the format is known (before the first record is read with it).
        public var onDetect: ((FormatDetector.Detection) -> Void)?
    }

    public let choice = Choice()
    public var detection: FormatDetector.Detection? { choice.detection }
    private var inner: AnyLineReader?
    private let addressBook: AddressBook?
    /// Lines of a first record spanning several lines, held until its format is known.
    private var held: [[UInt8]] = []
    private var multi = MultiLineJSON()
    private var saidWrongShape = false
    static let maxHeldLines = 10_000

    public init(addressBook: AddressBook?) {
        self.addressBook = addressBook
    }

    public mutating func read(line: UnsafeRawBufferPointer, into agg: inout FlowAggregator) -> LineResult {
        if inner != nil { return inner!.read(line: line, into: &agg) }
        var complete: [UInt8]?
        switch multi.feed(line) {
        case .single: complete = nil
        case .pending:
            // Past the record bound the lines are not held either (the record is rejected when it ends).
            if multi.isOverflowed { held = [] } else { held.append(Array(line)) }
            if held.count < Self.maxHeldLines { return .pending }
            complete = held.joined(separator: [0x0A]).map { $0 }
        case .complete(let bytes):
            held.append(Array(line))
            complete = bytes
        case .tooLarge:
            held = []
            return .rejected(field: "", message: multi.tooLargeMessage)
        }
        let sample = complete ?? Array(line)
        guard let d = FormatDetector.detect(prefix: sample) else {
            held = []
            multi.reset()
            // The command to run instead is said once; later lines point back to it.
            if let w = FormatDetector.wrongShape(prefix: sample), !saidWrongShape {
                saidWrongShape = true
                return .rejected(field: "", message: "cannot tell the input format from this record; " + w.message)
            }
            return .rejected(field: "", message: "cannot tell the input format from this record; "
                             + (saidWrongShape ? "see the first rejected line" : "pass --format"))
        }
        guard var r = AnyLineReader.make(d.format, addressBook: addressBook) else {
            held = []
            multi.reset()
            return .rejected(field: "", message: "this looks like a \(d.format.rawValue) document; "
                             + "pass it as a file, or with --format \(d.format.rawValue)")
        }
        choice.detection = d
        if complete == nil {
            inner = r
            return inner!.read(line: line, into: &agg)
        }
        // Replay the held lines: the reader sees them as if it had read them itself.
        var last = LineResult.pending
        for l in held { last = l.withUnsafeBytes { r.read(line: $0, into: &agg) } }
        held = []
        multi.reset()
        inner = r
        return last
    }

    public mutating func finish(into agg: inout FlowAggregator) -> LineResult? {
        if let r = inner?.finish(into: &agg) { return r }
        held = []
        return multi.finish().map { .rejected(field: $0.field, message: $0.message) }
    }
}
