import Foundation
import TestSupport
@testable import FlowStore

/// Stores for the FlowStore suites: a fresh path, and a store as an earlier FlowMap left it.
enum StoreSupport {
    /// The path of a store that does not exist yet, in a new temporary directory.
    static func newPath() -> String { Temporary.store("flowstore") }

    /// A store at `path` migrated up to `version` and no further (each migration's `user_version` set as it is
    /// applied), as a FlowMap of that schema wrote it; the connection is closed on return unless kept.
    @discardableResult
    static func atSchema(_ version: Int, path: String) throws -> SQLite {
        let db = try SQLite(path: path)
        for m in Migrations.embedded.sorted(by: { $0.version < $1.version }) where m.version <= version {
            try db.exec(m.sql)
            try db.exec("PRAGMA user_version = \(m.version)")
        }
        return db
    }
}
