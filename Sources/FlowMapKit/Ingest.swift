import Foundation
import FlowIngest
import FlowModel
import FlowStore

/// `flowmap ingest`: reads inputs into the store, one transaction per file (per batch for streams).
public enum Ingest {
    public struct Options: Sendable {
        public var db: String
        public var format: InputFormat = .auto
        public var batchFlows: Int = 200_000
        /// What `-` reads, and its name in messages (`collect` reads a child's output this way).
        public var stdinDescriptor: Int32 = 0
        public var stdinName = "<stdin>"
        /// A progress line on stderr: `auto` when stderr is a terminal (`FLOWMAP_PROGRESS=1|0` forces it).
        public var progress: IngestDriver.Progress = .auto
        /// `--bucket`: the bucket width of a new store (nanoseconds); nil keeps the store's (1h when new).
        public var bucketWidth: Int64?
        /// `--dedupe-window` (nanoseconds): drop flow events already stored within this window of the newest.
        public var dedupeWindow: Int64?
        /// `--cluster`: the local cluster of a ClusterMesh; workloads Hubble reports in another cluster are kept
        /// apart (`Endpoint.cluster`). nil: the cluster of the end each flow was observed at.
        public var localCluster: String?
        public init(db: String) { self.db = db }
    }

    /// What happened to one input.
    public struct FileReport: Sendable {
        public var path: String
        /// The format it was read as.
        public var format: InputFormat
        /// Set when `--format auto` chose the format: what gave it away.
        public var detection: FormatDetector.Detection?
        public var counts: IngestCounts
        /// Set when the same content was ingested before (nothing written).
        public var duplicateOf: String?
        /// Set when the file begins with a file ingested before (this one grown): only what follows was read.
        public var resumedFrom: ResumePoint? = nil
    }

    public struct Report: Sendable {
        public var files: [FileReport] = []
        /// Inputs that could not be read at all (missing, a directory, a wrong --format, a rejected header ...).
        public var failures: [String] = []
        /// Things the user should know that are not errors: inputs skipped (an empty file), VPC addresses read
        /// without an inventory.
        public var notes: [String] = []
        /// Set when SIGINT or SIGTERM ended a stream: what was read before it is stored; later inputs were not
        /// read (each is a failure, so the ingest does not look complete).
        public var stoppedBy: String?
        /// Events a Hubble server reported lost (`lost_events`) before sending them: flows never seen, so never
        /// stored (`--hubble` only; 0 otherwise).
        public var lostEvents: Int64 = 0
        public var total: IngestCounts {
            var t = IngestCounts()
            for f in files where f.duplicateOf == nil { t.add(f.counts) }
            return t
        }
    }

    /// Ingests each path (`-` is stdin). `onIssue` receives every rejected line as it is found; `onFormat` each
    /// format `--format auto` chose, before that input is read (a stream's after its first record).
    /// Inventories are read first, whatever their position, so flows in the same call map to pods.
    public static func run(paths: [String], options: Options, onIssue: (InputIssue) -> Void,
                           onFormat: (String, FormatDetector.Detection) -> Void = { _, _ in }) throws -> Report {
        let store = try FlowStore(path: options.db)
        if let w = options.bucketWidth { try store.useBucketWidth(w) }
        let bucketWidth = try store.bucketWidth
        var report = Report()
        var planned: [(path: String, format: InputFormat, detection: FormatDetector.Detection?)] = []
        for path in paths {
            if IngestDriver.isStream(path: path) {
                // Read once, by the driver: no look ahead (a second open of `<(…)` sees nothing, a FIFO blocks).
                planned.append((path, options.format, nil))
                continue
            }
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
                let (f, d) = try FormatChoice.resolve(options.format, path: path)
                planned.append((path, f, d))
            } catch let e as FormatChoice.Failure {
                report.failures.append(e.description)
            }
        }
        planned = planned.filter { $0.format == .inventory } + planned.filter { $0.format != .inventory }

        var book: AddressBook??  // loaded on first need; reset after an inventory is written
        var declared: Set<FlowAggregator.ListeningPort> = []
        func addressBook() throws -> AddressBook? {
            if let b = book { return b }
            let inv = try store.inventory()
            let b: AddressBook? = inv.pods.isEmpty && inv.services.isEmpty ? nil : AddressBook(inv)
            declared = FlowAggregator.ListeningPort.declared(by: inv)
            book = .some(b)
            return b
        }

        for (i, (path, format, detection)) in planned.enumerated() {
            if let s = report.stoppedBy {
                report.failures += planned[i...].map { "\($0.path): not read: the ingest was stopped by \(s)" }
                break
            }
            let isStream = IngestDriver.isStream(path: path)
            if isStream && format != .inventory { StopSignal.install() }
            defer {
                if isStream && format != .inventory {
                    StopSignal.restore()
                    if let s = StopSignal.caught { report.stoppedBy = StopSignal.name(s) }
                }
            }
            if let d = detection { onFormat(path == "-" ? options.stdinName : path, d) }
            do {
                if format == .inventory {
                    if var r = try ingestInventory(path: path, store: store, onIssue: onIssue) {
                        r.detection = detection
                        report.files.append(r)
                        book = nil
                        if r.duplicateOf == nil {
                            // Flows read before this inventory, with addresses it now knows, move to their workloads.
                            let m = try Remap.run(store)
                            if m.mapped > 0 {
                                report.notes.append("\(path): mapped \(m.mapped) kept flow row(s) (\(m.flows) flow(s)) "
                                                    + "read before this inventory to its workloads")
                            }
                        }
                    }
                    continue
                }
                var counts = IngestCounts()
                var duplicate: String?
                var resumed: ResumePoint?
                var chosen = format
                var chosenBy = detection
                let b0 = try addressBook()  // also the inventory's listening ports, for every format
                var driver = IngestDriver(batchFlows: options.batchFlows, progress: options.progress)
                // The inventory's ports and every port earlier ingests saw listening (schema 6), so a file of
                // replies only is oriented by the evidence of another.
                driver.listening = declared.union(try store.listeningPorts().keys)
                driver.stdinDescriptor = options.stdinDescriptor
                driver.stdinName = options.stdinName
                driver.bucketWidth = bucketWidth
                driver.localCluster = options.localCluster
                driver.legacyHash = try store.hasLegacyContentHashes()
                if let w = options.dedupeWindow {
                    driver.dedupe = FlowDedupe(window: w, stored: try store.seenFlows(window: w))
                }
                if format != .auto, !isStream, let head = IngestDriver.head(ofFile: path) {
                    driver.resumeCandidates = try store.resumePoints(format: format.rawValue, size: head.size,
                                                                     head: head.hash)
                }
                // A stream's batches are one source (one row in `flowmap sources`, forgotten together).
                var source: Int64?
                if format == .vpc && b0 == nil {
                    report.notes.append("\(path): no Kubernetes inventory in \(options.db): every VPC address "
                                        + "becomes an external peer; ingest `kubectl get namespaces,pods,services,"
                                        + "endpointslices -A -o json` first (--format inventory)")
                }
                let name = path == "-" ? options.stdinName : path
                let read = try withoutActuallyEscaping(onFormat) { tell in
                    try Self.read(path: path, format: format, book: b0, driver: driver, onIssue: onIssue,
                                  onDetect: { tell(name, $0) }) { chunk, readAs in
                        let (r, id) = try store.writeSource(chunk.batch, counts: chunk.counts, path: path,
                                                            format: readAs, contentHash: chunk.contentHash,
                                                            now: Clock.nowNanos(), legacyHash: chunk.legacyContentHash,
                                                            continuing: source, resume: chunk.resume)
                        if source == nil { source = id }
                        if case .duplicate(let prev) = r { duplicate = prev }
                        if r == .written { resumed = chunk.resume?.resumedFrom }
                        counts.add(chunk.counts)
                    }
                }
                guard let read else { continue }
                chosen = read.format
                chosenBy = read.detection ?? detection
                report.files.append(FileReport(path: path, format: chosen, detection: chosenBy, counts: counts,
                                               duplicateOf: duplicate, resumedFrom: resumed))
            } catch let e as IngestDriver.Failure {
                report.failures.append(e.description)
            } catch let e as FormatChoice.Failure {
                report.failures.append(e.description)
            }
        }
        return report
    }

    /// Runs one input through the reader `format` names (`auto`: told from the first line, for streams), handing
    /// each batch to `commit` with the format name it was read as; `ingest` and `watch` read through here. Nil
    /// when the format has no line reader. `detection` is set when `auto` chose the format.
    static func read(path: String, format: InputFormat, book: AddressBook?, driver: IngestDriver,
                     onIssue: (InputIssue) -> Void, onDetect: ((FormatDetector.Detection) -> Void)? = nil,
                     commit: (IngestDriver.Chunk, String) throws -> Void)
        throws -> (format: InputFormat, detection: FormatDetector.Detection?)? {
        let needsBook = format == .vpc || format == .flowmapCSV || format == .flowmapJSONL || format == .auto
        let b = needsBook ? book : nil
        switch format {
        case .hubble:
            var r = HubbleReader()
            try driver.run(path: path, reader: &r, onIssue: onIssue) { try commit($0, "hubble") }
            return (format, nil)
        case .auto:
            var r = AutoReader(addressBook: b)
            let choice = r.choice
            choice.onDetect = onDetect
            defer { choice.onDetect = nil }
            try driver.run(path: path, reader: &r, onIssue: onIssue) {
                try commit($0, choice.detection?.format.rawValue ?? "auto")
            }
            return (choice.detection?.format ?? format, choice.detection)
        // Each reader by its own type, so the driver's generic loop is specialised for it: through
        // `AnyLineReader` every line copied the reader out of the enum and released the enum's copy (a retain and
        // a release per stored property of the reader, about a fifth of `flowmap ingest`'s VPC profile, issue 22).
        case .calico:
            var r = CalicoReader()
            try driver.run(path: path, reader: &r, onIssue: onIssue) { try commit($0, format.rawValue) }
            return (format, nil)
        case .vpc:
            var r = VPCReader(addressBook: b)
            try driver.run(path: path, reader: &r, onIssue: onIssue) { try commit($0, format.rawValue) }
            return (format, nil)
        case .flowmapCSV, .flowmapJSONL:
            var r = FlowRecordReader(syntax: format == .flowmapCSV ? .csv : .jsonl, addressBook: b)
            try driver.run(path: path, reader: &r, onIssue: onIssue) { try commit($0, format.rawValue) }
            return (format, nil)
        case .inventory:
            return nil
        }
    }

    /// Reads a whole inventory document and stores it. Nil when it could not be read (a failure was thrown).
    static func ingestInventory(path: String, store: FlowStore, onIssue: (InputIssue) -> Void) throws -> FileReport? {
        let display = path == "-" ? "<stdin>" : path
        let data: Data
        do {
            data = try InventoryReader.load(path: path)
        } catch let e as InventoryReader.Failure {
            throw FormatChoice.Failure(description: e.description)
        }
        let parsed: InventoryReader.Result
        do {
            parsed = try InventoryReader.read(data)
        } catch let e as InventoryReader.Failure {
            throw FormatChoice.Failure(description: "\(display): \(e.description)")
        }
        for i in parsed.issues { onIssue(InputIssue(file: display, line: 0, field: i.field, message: i.message)) }
        var hash = ContentHash()
        data.withUnsafeBytes { hash.update($0) }
        let r = try store.writeInventory(parsed.inventory, batch: InventoryReader.batch(for: parsed.inventory),
                                         counts: parsed.counts, path: path,
                                         contentHash: path == "-" ? nil : hash.hex, now: Clock.nowNanos(),
                                         legacyHash: path == "-" ? nil : hash.legacyHex)
        var duplicate: String?
        if case .duplicate(let prev) = r { duplicate = prev }
        return FileReport(path: path, format: .inventory, detection: nil, counts: parsed.counts,
                          duplicateOf: duplicate)
    }
}

/// Picks the reader for `--format`: `auto` detects files from their first lines (streams from their first line
/// while reading); an explicit format that the first lines contradict fails before anything is read, and so
/// does a generic CSV whose header names an unknown column or lacks a required one.
public enum FormatChoice {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func resolve(_ format: InputFormat, path: String) throws
        -> (InputFormat, FormatDetector.Detection?) {
        if path == "-" { return (format, nil) }
        guard let (prefix, isArray) = FormatDetector.start(ofFile: path) else {
            return (format == .auto ? .hubble : format, nil)
        }
        let blank = prefix.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if blank { return (format == .auto ? .hubble : format, nil) }  // nothing to read; the driver reports errors
        var detected = FormatDetector.detect(prefix: prefix)
        if isArray, let d = detected { detected?.reason = "a JSON array of records; \(d.reason)" }
        if detected == nil, format != .vpc, format != .flowmapCSV, let w = FormatDetector.wrongShape(prefix: prefix) {
            throw Failure(description: "\(path):\(w.line): \(w.message); nothing was read")
        }
        var chosen = format
        if format == .auto {
            guard let d = detected else {
                throw Failure(description: "\(path): cannot tell the format from the first lines; pass --format "
                              + InputFormat.allCases.filter { $0 != .auto }.map(\.rawValue).joined(separator: "|"))
            }
            chosen = d.format
        } else if let d = detected, d.format != format {
            throw Failure(description: "\(path): --format \(format.rawValue), but the first lines look like "
                          + "\(d.format.rawValue) (\(d.reason)); pass --format \(d.format.rawValue) or auto")
        }
        if chosen == .flowmapCSV {
            // The header is checked before any row is read.
            // Line by line up to the first non-empty one (not the whole 256 KiB prefix split into lines first).
            var rest = Substring(String(decoding: prefix, as: UTF8.self))
            var lineNo = 0
            while true {
                let parts = rest.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                guard let line = parts.first else { break }
                lineNo += 1
                let l = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if l.isEmpty {
                    guard parts.count == 2 else { break }
                    rest = parts[1]
                    continue
                }
                let cols = FlowRecordReader.csvCells(l) ?? []
                if case .failure(let e) = FlowRecordReader.validate(columns: cols) {
                    throw Failure(description: "\(path):\(lineNo): header: \(e.description); nothing was read "
                                  + "(columns are documented in schema/flow-record.schema.json)")
                }
                break
            }
        }
        return (chosen, format == .auto ? detected : nil)
    }
}
