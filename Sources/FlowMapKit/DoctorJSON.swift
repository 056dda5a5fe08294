/// `flowmap doctor --output json` (schema/doctor.schema.json).
struct DoctorJSON: Encodable {
    var db: String
    var healthy: Bool
    var store_schema: Int
    var latest_known_schema: Int
    /// `["ok"]` when healthy, else SQLite's findings.
    var integrity: [String]
    var sources: Int
    var edges: Int
}

extension Doctor.Report {
    public func document(db: String, as format: ResultFormat) -> String {
        ResultText.document(verb: "doctor", DoctorJSON(
            db: db, healthy: healthy, store_schema: schemaVersion, latest_known_schema: latestKnown,
            integrity: integrity, sources: sources, edges: edges), as: format)
    }
}
