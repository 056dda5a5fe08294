import FlowIngest
import FlowModel
import FlowStore

/// `flowmap ingest`: reads inputs into the store, one transaction per file (per batch for streams).
public enum Ingest {
    public struct Options: Sendable {
        public var db: String
        public var format: InputFormat = .auto
        public var batchFlows: Int = 200_000
        public init(db: String) { self.db = db }
    }

    /// What happened to one input.
    public struct FileReport: Sendable {
        public var path: String
        public var format: InputFormat
        public var counts: IngestCounts
        /// Set when the same content was ingested before (nothing written).
        public var duplicateOf: String?
    }

    public struct Report: Sendable {
        public var files: [FileReport] = []
        /// Inputs that could not be read at all (missing, a directory ...).
        public var failures: [String] = []
        /// Inputs skipped for a reason that is not an error (an empty file).
        public var notes: [String] = []
        public var total: IngestCounts {
            var t = IngestCounts()
            for f in files where f.duplicateOf == nil { t.add(f.counts) }
            return t
        }
    }

    /// Ingests each path (`-` is stdin). `onIssue` receives every rejected line as it is found.
    public static func run(paths: [String], options: Options, onIssue: (InputIssue) -> Void) throws -> Report {
        let store = try FlowStore(path: options.db)
        var report = Report()
        for path in paths {
            switch InputCheck.look(at: path) {
            case .ok: break
            case .empty:
                report.notes.append("\(path): empty file; nothing to ingest")
                continue
            case .binary(let why):
                report.failures.append("\(path): looks binary (\(why)), not a text flow log; "
                                       + "compressed logs must be gzip")
                continue
            }
            do {
                let format = try FormatChoice.resolve(options.format, path: path)
                var fileCounts = IngestCounts()
                var duplicate: String?
                let driver = IngestDriver(batchFlows: options.batchFlows)
                try withReader(format) { reader in
                    try driver.run(path: path, reader: &reader, onIssue: onIssue) { chunk in
                        let r = try store.write(chunk.batch, counts: chunk.counts, path: path,
                                                format: format.rawValue, contentHash: chunk.contentHash,
                                                now: Clock.nowNanos())
                        if case .duplicate(let prev) = r { duplicate = prev }
                        fileCounts.add(chunk.counts)
                    }
                }
                report.files.append(FileReport(path: path, format: format, counts: fileCounts, duplicateOf: duplicate))
            } catch let e as IngestDriver.Failure {
                report.failures.append(e.description)
            } catch let e as FormatChoice.Failure {
                report.failures.append(e.description)
            }
        }
        return report
    }

    static func withReader(_ format: InputFormat, _ body: (inout HubbleReader) throws -> Void) throws {
        var r = HubbleReader()
        try body(&r)
    }
}

/// Picks the reader for `--format`.
public enum FormatChoice {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func resolve(_ format: InputFormat, path: String) throws -> InputFormat {
        switch format {
        case .auto, .hubble: return .hubble
        default:
            throw Failure(description: "\(path): --format \(format.rawValue) is not supported yet; use hubble")
        }
    }
}
