import FlowModel

/// `flowmap ingest --output json` (schema/ingest.schema.json). Rejected lines stay on stderr, located.
struct IngestJSON: Encodable {
    struct Counts: Encodable {
        var lines: Int64
        var accepted: Int64
        var replies: Int64
        var skipped: Int64
        var rejected: Int64

        init(_ c: IngestCounts) {
            lines = c.lines
            accepted = c.accepted
            replies = c.replies
            skipped = c.skipped
            rejected = c.rejected
        }
    }
    struct File: Encodable {
        var path: String
        var format: String
        /// Set when `--format auto` chose the format: what gave it away.
        var detected_by: String?
        /// Set when the same content was ingested before (nothing changed).
        var duplicate_of: String?
        var counts: Counts
    }
    struct Undecided: Encodable {
        var flow: String
        var flows: Int64
    }
    var db: String
    var files: [File]
    var failures: [String]
    var notes: [String]
    var totals: Counts
    /// Flows whose direction nothing decided, by readable key; `undecided_other` counts the rest.
    var undecided: [Undecided]
    var undecided_other: Int64
    /// Events Hubble reported lost before sending them (`--hubble`; 0 for files and stdin).
    var lost_events: Int64

    init(_ r: Ingest.Report, db: String) {
        self.db = db
        files = r.files.map {
            File(path: $0.path, format: $0.format.rawValue, detected_by: $0.detection?.reason,
                 duplicate_of: $0.duplicateOf, counts: Counts($0.counts))
        }
        failures = r.failures
        notes = r.notes
        let t = r.total
        totals = Counts(t)
        undecided = t.unoriented.keys.sorted().map { Undecided(flow: $0, flows: t.unoriented[$0]!) }
        undecided_other = t.unorientedOther
        lost_events = r.lostEvents
    }
}

extension Ingest.Report {
    /// The report as JSON or YAML.
    public func document(db: String, as format: ResultFormat) -> String {
        ResultText.document(verb: "ingest", IngestJSON(self, db: db), as: format)
    }
}
