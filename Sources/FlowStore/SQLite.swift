import CSQLite

/// A thin wrapper over the SQLite C API: the only file that calls it. Values are always bound, never
/// interpolated into SQL.
final class SQLite: NestedTransactions {
    let handle: OpaquePointer
    let path: String

    struct Failure: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var message: String
        var description: String { "\(path): SQLite error \(code): \(message)" }
        /// The file could not be opened, created or written (permissions, a missing directory, a read-only file).
        var isAccess: Bool {
            [SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH, SQLITE_IOERR].contains(code & 0xFF)
        }
    }

    /// `readOnly` opens an existing file without write access: nothing, not even the journal mode, can change it.
    init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw Failure(path: path, code: rc, message: msg)
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 30_000)  // wait for other writers instead of failing with "database is locked"
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ rc: Int32) -> Failure {
        Failure(path: path, code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }

    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(err)
            throw Failure(path: path, code: rc, message: msg)
        }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc) }
        return SQLiteStatement(db: self, stmt: stmt)
    }

    /// Transactions opened and not yet ended; a nested `transaction` joins the outer one.
    var depth = 0

    /// Runs `body` in one IMMEDIATE transaction: all of it is stored, or none. Inside another transaction, `body`
    /// becomes part of it (an error still rolls the whole outer transaction back, as it propagates).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try within("BEGIN IMMEDIATE", body)
    }

    /// Runs `body` in one read transaction (BEGIN DEFERRED): every read in it sees the same committed state, so
    /// a writer committing meanwhile (another ingest) cannot show half of its batch to one verb's evidence.
    /// Inside another transaction, `body` joins it.
    func snapshot<T>(_ body: () throws -> T) throws -> T {
        try within("BEGIN DEFERRED", body)
    }

    var userVersion: Int {
        get throws {
            let s = try prepare("PRAGMA user_version")
            return try s.step() ? Int(s.int(0)) : 0
        }
    }

    /// `PRAGMA application_id`: which program's file this is (0 when none was set).
    var applicationID: Int64 {
        get throws {
            let s = try prepare("PRAGMA application_id")
            return try s.step() ? s.int(0) : 0
        }
    }

    /// The names of the tables in the file, sorted.
    func tableNames() throws -> [String] {
        let q = try prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        var out: [String] = []
        while try q.step() { out.append(q.text(0)) }
        return out
    }
}

/// A prepared SQLite statement. Bind with 1-based indexes, read columns with 0-based ones.
final class SQLiteStatement {
    let db: SQLite
    let stmt: OpaquePointer

    init(db: SQLite, stmt: OpaquePointer) {
        self.db = db
        self.stmt = stmt
    }

    deinit { sqlite3_finalize(stmt) }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ values: [Value]) throws {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .int(let n): rc = sqlite3_bind_int64(stmt, idx, n)
            case .text(let s): rc = sqlite3_bind_text(stmt, idx, s, -1, SQLiteStatement.transient)
            case .null: rc = sqlite3_bind_null(stmt, idx)
            }
            if rc != SQLITE_OK { throw db.error(rc) }
        }
    }

    /// Steps once: true when a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw db.error(rc)
        }
    }

    func int(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }
    func text(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        return String(cString: p)
    }
    func isNull(_ col: Int32) -> Bool { sqlite3_column_type(stmt, col) == SQLITE_NULL }
}
