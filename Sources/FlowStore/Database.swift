/// The store's one connection: an SQLite file (SQLite.swift) or a PostgreSQL database (Postgres.swift). The store
/// writes each statement once, in SQL both engines run (`?` placeholders; upserts whose SET clauses name the
/// target table, since PostgreSQL finds an unqualified column of `excluded` ambiguous; CASE instead of the
/// two-argument min/max SQLite has and PostgreSQL spells LEAST/GREATEST). Values are always bound, never
/// interpolated into SQL.
final class Database {
    enum Backend {
        case sqlite(SQLite)
        case postgres(PostgresEngine)
    }

    let backend: Backend
    /// The file path, or the connection string without its password: for messages.
    let path: String

    init(sqlite: SQLite) {
        backend = .sqlite(sqlite)
        path = sqlite.path
    }

    init(postgres: PostgresEngine) {
        backend = .postgres(postgres)
        path = postgres.location.display
    }

    var isPostgres: Bool {
        if case .postgres = backend { return true }
        return false
    }

    /// The SQLite connection, for what only SQLite has (PRAGMAs, integrity_check); nil on PostgreSQL.
    var sqlite: SQLite? {
        if case .sqlite(let s) = backend { return s }
        return nil
    }

    func exec(_ sql: String) throws {
        switch backend {
        case .sqlite(let s): try s.exec(sql)
        case .postgres(let p): try p.simpleQuery(sql)
        }
    }

    func prepare(_ sql: String) throws -> Statement {
        switch backend {
        case .sqlite(let s): return Statement(.sqlite(try s.prepare(sql)))
        case .postgres(let p): return Statement(.postgres(PostgresStatement(engine: p, sql: sql)))
        }
    }

    /// Runs `body` in one transaction: all of it is stored, or none. Inside another transaction, `body` becomes
    /// part of it. On PostgreSQL a serialization failure or a deadlock (SQLSTATE 40001, 40P01) rolls back and
    /// runs `body` again from the start, so `body` must not keep state across attempts.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        switch backend {
        case .sqlite(let s): return try s.transaction(body)
        case .postgres(let p): return try p.transaction(body)
        }
    }

    /// Runs `body` in one read-only snapshot: every read sees the same committed state (see the engines').
    func snapshot<T>(_ body: () throws -> T) throws -> T {
        switch backend {
        case .sqlite(let s): return try s.snapshot(body)
        case .postgres(let p): return try p.snapshot(body)
        }
    }

    /// The names of the store's tables, sorted.
    func tableNames() throws -> [String] {
        switch backend {
        case .sqlite(let s): return try s.tableNames()
        case .postgres(let p): return try p.tableNames()
        }
    }

    /// An error for a statement that did not give the row it must give.
    func error(_ rc: Int32) -> Error {
        switch backend {
        case .sqlite(let s): return s.error(rc)
        case .postgres(let p): return PostgresEngine.Failure(location: p.location.display, sqlState: nil,
                                                             message: "a statement returned no row")
        }
    }

    /// The schema version: SQLite's `user_version`, or the newest row of PostgreSQL's `flowmap_migrations`.
    var userVersion: Int {
        get throws {
            switch backend {
            case .sqlite(let s): return try s.userVersion
            case .postgres(let p): return try p.schemaVersion()
            }
        }
    }

    /// Serialises this write against lifecycle verbs (`lockExclusive`) and against writers of the same content
    /// hash, inside the open transaction (until it ends). SQLite needs nothing: its write transactions are
    /// IMMEDIATE, one at a time. (Writers sharing (edge, bucket) keys wait for each other on those rows of
    /// `edge_buckets`: `BucketRefresh.runAll`.)
    func lockForWrite(contentHash: String?) throws {
        guard case .postgres(let p) = backend else { return }
        try p.lockForWrite(contentHash: contentHash)
    }

    /// Inserts (or upserts) `rows` as `spec` says: on SQLite its one-row statement run once per row, the rows in
    /// ascending order of their key columns (`Value.keyOrder`); on PostgreSQL one statement per chunk of rows
    /// whose columns are bound as arrays (`unnest`), the rows in ascending order of their values (key columns
    /// first, see `BulkInsert`), so concurrent writers lock the rows they share in one order and never wait for
    /// each other in a cycle. Every value of a column is of one kind, never NULL.
    func insert(_ spec: BulkInsert, _ rows: [[Value]]) throws {
        guard !rows.isEmpty else { return }
        switch backend {
        case .sqlite:
            let q = try prepare(spec.sql)
            for i in Value.keyOrder(rows, keys: spec.keyColumns) { try q.bind(rows[i]).run() }
        case .postgres(let p):
            try p.insert(spec, rows)
        }
    }

    /// Holds every other writer off until the open transaction ends (forget, prune, remap, bucket width,
    /// inventories). SQLite needs nothing (see `lockForWrite`).
    func lockExclusive() throws {
        guard case .postgres(let p) = backend else { return }
        try p.lockExclusive()
    }
}

/// A connection of either engine as its transactions nest: the outermost `transaction` / `snapshot` begins and
/// ends one, a nested call joins it.
protocol NestedTransactions: AnyObject {
    /// Transactions opened and not yet ended.
    var depth: Int { get set }
    /// Runs SQL text with no values (here BEGIN, COMMIT, ROLLBACK).
    func exec(_ sql: String) throws
}

extension NestedTransactions {
    /// `body` between `begin` and COMMIT (ROLLBACK on error), or, inside the transaction already open, as part of
    /// it (an error still rolls the whole outer transaction back, as it propagates). After a failed attempt,
    /// `retry(error, attempts before it)` waits and answers true to run the whole transaction again.
    func within<T>(_ begin: String, retry: (any Error, Int) -> Bool = { _, _ in false },
                   _ body: () throws -> T) throws -> T {
        if depth > 0 {
            depth += 1
            defer { depth -= 1 }
            return try body()
        }
        var attempt = 0
        while true {
            depth = 1
            defer { depth = 0 }
            try exec(begin)
            do {
                let r = try body()
                try exec("COMMIT")
                return r
            } catch {
                try? exec("ROLLBACK")
                guard retry(error, attempt) else { throw error }
                attempt += 1
            }
        }
    }
}

/// A prepared statement of either engine. Bind with 1-based placeholders (`?`), read columns with 0-based indexes.
final class Statement {
    enum Backing {
        case sqlite(SQLiteStatement)
        case postgres(PostgresStatement)
    }

    let backing: Backing

    init(_ backing: Backing) { self.backing = backing }

    @discardableResult
    func bind(_ values: Value...) throws -> Statement {
        try bind(values)
    }

    @discardableResult
    func bind(_ values: [Value]) throws -> Statement {
        switch backing {
        case .sqlite(let s): try s.bind(values)
        case .postgres(let p): p.bind(values)
        }
        return self
    }

    /// Steps once: true when a row is available.
    func step() throws -> Bool {
        switch backing {
        case .sqlite(let s): return try s.step()
        case .postgres(let p): return try p.step()
        }
    }

    /// Steps to completion (for INSERT/UPDATE).
    func run() throws {
        switch backing {
        case .sqlite(let s): while try s.step() {}
        case .postgres(let p): try p.run()
        }
    }

    func int(_ col: Int32) -> Int64 {
        switch backing {
        case .sqlite(let s): return s.int(col)
        case .postgres(let p): return p.int(Int(col))
        }
    }

    func text(_ col: Int32) -> String {
        switch backing {
        case .sqlite(let s): return s.text(col)
        case .postgres(let p): return p.text(Int(col))
        }
    }

    func isNull(_ col: Int32) -> Bool {
        switch backing {
        case .sqlite(let s): return s.isNull(col)
        case .postgres(let p): return p.isNull(Int(col))
        }
    }
}

enum Value: Hashable {
    case int(Int64)
    case text(String)
    case null

    /// The order `Database.insert` sends rows in on PostgreSQL, the same in every process: column by column,
    /// integers by value, text by its UTF-8 bytes (PostgreSQL's "C" collation of the store's columns).
    static func precedes(_ a: [Value], _ b: [Value]) -> Bool {
        for (x, y) in zip(a, b) { if let less = x.precedes(y) { return less } }
        return a.count < b.count
    }

    /// True when `self` comes before `other` (`precedes` of rows), false when after, nil when equal.
    func precedes(_ other: Value) -> Bool? {
        switch (self, other) {
        case (.int(let m), .int(let n)): return m == n ? nil : m < n
        case (.text(let s), .text(let t)):
            return s.utf8.elementsEqual(t.utf8) ? nil : s.utf8.lexicographicallyPrecedes(t.utf8)
        case (.null, .null): return nil
        case (.null, _): return true
        case (_, .null): return false
        case (.int, .text): return true
        case (.text, .int): return false
        }
    }

    /// The indices of `rows` in ascending order of their first `keys` values (`precedes`), rows of equal keys
    /// in the order given (they are applied in that order, as one statement per row would be). SQLite inserts
    /// in this order: each row lands beside the previous one in the table's B-tree, so a batch touches each page
    /// about once. In the order a dictionary gives, a batch larger than SQLite's page cache read and wrote its
    /// pages many times over (200 MB of VPC flows with a new edge per record: 2 MB/s, mostly `pread`/`pwrite`).
    static func keyOrder(_ rows: [[Value]], keys: Int) -> [Int] {
        func less(_ i: Int, _ j: Int, from: Int) -> Bool {
            let a = rows[i], b = rows[j]
            for c in from..<min(keys, a.count, b.count) { if let l = a[c].precedes(b[c]) { return l } }
            return i < j
        }
        func sortedOnRows() -> [Int] { rows.indices.sorted { less($0, $1, from: 0) } }
        // The edge tables' keys start with two integers (the endpoints' ids): (id, id, position) values are
        // sorted as plain integers, then each run of equal pairs on the rest of the key. A comparison that
        // copies rows retains and releases them; it was most of a 1.9-million-row sort.
        guard keys >= 2 else { return sortedOnRows() }
        var lead = [(Int64, Int64, Int)]()
        lead.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated() {
            guard r.count >= 2, case .int(let x) = r[0], case .int(let y) = r[1] else { return sortedOnRows() }
            lead.append((x, y, i))
        }
        lead.sort { $0 < $1 }
        var order = lead.map(\.2)
        var start = 0
        while start < lead.count {
            var end = start + 1
            while end < lead.count && lead[end].0 == lead[start].0 && lead[end].1 == lead[start].1 { end += 1 }
            if end - start > 1 { order[start..<end].sort { less($0, $1, from: 2) } }
            start = end
        }
        return order
    }
}

/// An INSERT of many rows into one table (`Database.insert`): the store's statements for what a batch writes.
/// `sql` is the one-row statement (SQLite, and the statements that write one row at a time); `unnestSQL` the
/// PostgreSQL statement that inserts a whole array of rows, each column bound as one array.
struct BulkInsert {
    let table: String
    /// Conflict key columns first.
    let columns: [String]
    /// How many leading `columns` are the conflict key: rows of one key go to separate statements on PostgreSQL
    /// (`ON CONFLICT DO UPDATE` cannot change a row twice in one statement), applied in the order given, as the
    /// one-row statements would be.
    let keyColumns: Int
    /// What follows the rows: `ON CONFLICT (…) DO UPDATE SET …` or `ON CONFLICT DO NOTHING`.
    let conflict: String

    /// An upsert that adds a row's counts to the stored row of its key: the `sum` columns added (saturating at
    /// `Int64.max`), the `min` columns the smaller, the `max` columns the larger of the two; the other non-key
    /// columns keep what the row was first inserted with. The first `keys` of `columns` are the conflict key.
    static func counting(table: String, columns: [String], keys: Int, sum: [String], min: [String] = [],
                         max: [String] = []) -> BulkInsert {
        precondition((sum + min + max).allSatisfy(columns.dropFirst(keys).contains))
        let set = sum.map { "\($0) = \(FlowStore.saturatingSum($0, table: table))" }
            + min.map { "\($0) = \(FlowStore.least($0, table: table))" }
            + max.map { "\($0) = \(FlowStore.greatest($0, table: table))" }
        return BulkInsert(
            table: table, columns: columns, keyColumns: keys,
            conflict: "ON CONFLICT (\(columns.prefix(keys).joined(separator: ", "))) DO UPDATE SET\n  "
                + set.joined(separator: ",\n  "))
    }

    var sql: String {
        "INSERT INTO \(table) (\(columns.joined(separator: ", ")))\n"
            + "VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))\n\(conflict)"
    }

    /// `types`: each column's array type (`bigint[]`, `text[]`). The rows are inserted in the arrays' order.
    func unnestSQL(types: [String]) -> String {
        let cols = columns.joined(separator: ", ")
        let arrays = types.enumerated().map { "CAST($\($0.offset + 1) AS \($0.element))" }.joined(separator: ", ")
        return "INSERT INTO \(table) (\(cols))\nSELECT \(cols) FROM unnest(\(arrays)) WITH ORDINALITY AS bulk (\(cols), bulk_row)\n"
            + "ORDER BY bulk_row\n\(conflict)"
    }
}
