import FlowStore

/// `flowmap doctor`: checks a store file without changing it.
public enum Doctor {
    public struct Report: Sendable {
        public var schemaVersion: Int
        public var latestKnown: Int
        /// `["ok"]` when healthy, else SQLite's findings.
        public var integrity: [String]
        public var sources: Int
        public var edges: Int
        public var healthy: Bool { integrity == ["ok"] }
    }

    /// Opens the store read-only: doctor never writes (no journal mode, no migration, no stamp).
    public static func run(db: String) throws -> Report {
        try Generate.requireExisting(db)
        let store = try FlowStore(path: db, verify: false, readOnly: true)
        // Opened as a FlowMap store: from here on, SQLite failing to read it (a malformed page) is the damage
        // doctor reports (exit 1), not a reason it could not look (exit 2).
        do {
            var integrity = try store.integrityCheck()
            if integrity == ["ok"] {
                let counts = try store.countFindings()
                if !counts.isEmpty { integrity = counts }
            }
            // Counting reads every edge page, which also surfaces corruption the check may report first.
            let healthy = integrity == ["ok"]
            return Report(schemaVersion: try store.schemaVersion, latestKnown: store.latestSchema, integrity: integrity,
                          sources: healthy ? try store.sources().count : 0, edges: healthy ? try store.edges().count : 0)
        } catch {
            return Report(schemaVersion: (try? store.schemaVersion) ?? 0, latestKnown: store.latestSchema,
                          integrity: ["\(error)"], sources: 0, edges: 0)
        }
    }
}
