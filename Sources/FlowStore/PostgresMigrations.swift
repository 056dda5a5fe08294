/// Applies schema/postgres/NNNN_*.sql (embedded by scripts/embed-schema.py) in order, each in the transaction
/// that records it in `flowmap_migrations`, all under `pg_advisory_xact_lock`: of several ingesters starting at
/// once against a new database, one migrates and the others wait, then find nothing left to do.
public enum PostgresMigrations {
    /// The newest PostgreSQL schema version this build knows (its own numbering, from 1).
    public static var latest: Int { embedded.map(\.version).max() ?? 0 }

    /// The embedded migrations as (file name, SQL), for the test that keeps them in sync with schema/postgres/.
    public static var files: [(name: String, sql: String)] { embedded.map { ($0.name, $0.sql) } }

    static func apply(to p: PostgresEngine) throws {
        try p.transaction {
            _ = try p.run("SELECT pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))",
                          [.int(PostgresEngine.lockClass), .int(PostgresEngine.migrationLock)])
            let current = try p.schemaVersion()
            if current > latest {
                throw FlowStore.Failure.newerSchema(path: p.location.display, found: current, known: latest)
            }
            for m in embedded.sorted(by: { $0.version < $1.version }) where m.version > current {
                try p.simpleQuery(m.sql)
                _ = try p.run("INSERT INTO flowmap_migrations (version, name) VALUES (?, ?)",
                              [.int(Int64(m.version)), .text(m.name)])
            }
        }
    }
}
