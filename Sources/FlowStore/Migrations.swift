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

    static func apply(to db: SQLite) throws {
        let current = try db.userVersion
        if current > latest {
            throw FlowStore.Failure.newerSchema(path: db.path, found: current, known: latest)
        }
        for m in embedded.sorted(by: { $0.version < $1.version }) where m.version > current {
            try db.transaction {
                // Another process may have migrated while we waited for the write lock: look again inside it.
                guard try db.userVersion < m.version else { return }
                try db.exec(m.sql)
                try db.exec("PRAGMA user_version = \(m.version)")  // an integer we own, not user input
            }
        }
    }
}
