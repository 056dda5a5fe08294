/// One numbered schema file from `schema/`.
struct Migration: Sendable {
    var version: Int
    var name: String
    var sql: String
}

/// Applies the embedded migrations in order and records the schema version in `PRAGMA user_version`.
public enum Migrations {
    /// The newest schema version this build knows.
    public static var latest: Int { embedded.map(\.version).max() ?? 0 }

    /// The embedded migrations as (file name, SQL), for the test that keeps them in sync with `schema/`.
    public static var files: [(name: String, sql: String)] { embedded.map { ($0.name, $0.sql) } }

    /// The line a migration carries to be run with foreign keys off.
    static let foreignKeysOffMarker = "-- flowmap:foreign-keys-off"

    static func apply(to db: SQLite) throws {
        let current = try db.userVersion
        if current > latest {
            throw FlowStore.Failure.newerSchema(path: db.path, found: current, known: latest)
        }
        for m in embedded.sorted(by: { $0.version < $1.version }) where m.version > current {
            // A migration that rebuilds a referenced table (schema 10) runs with foreign keys off, as SQLite's
            // procedure for changing a table's definition says (the pragma is a no-op inside a transaction), and
            // checks every reference before it commits.
            let keysOff = m.sql.contains(foreignKeysOffMarker)
            if keysOff { try db.exec("PRAGMA foreign_keys = OFF") }
            defer { if keysOff { try? db.exec("PRAGMA foreign_keys = ON") } }
            try db.transaction {
                // Another process may have migrated while we waited for the write lock: look again inside it.
                guard try db.userVersion < m.version else { return }
                try db.exec(m.sql)
                if keysOff {
                    let q = try db.prepare("PRAGMA foreign_key_check")
                    if try q.step() {
                        throw FlowStore.Failure.corrupt(path: db.path, findings: [
                            "migration \(m.name): a reference in table \(q.text(0)) points at no row"])
                    }
                }
                try db.exec("PRAGMA user_version = \(m.version)")  // an integer we own, not user input
            }
        }
    }
}
