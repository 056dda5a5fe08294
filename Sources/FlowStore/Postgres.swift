import Foundation
import PostgresNIO

/// Where a PostgreSQL store is: `postgresql://[user[:password]@]host[:port][/dbname][?sslmode=…&host=/socket/dir]`
/// (or `postgres://`), libpq's URI form. The password may come from PGPASSWORD instead of the URI.
public struct PostgresLocation: Sendable, Hashable {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// `disable` (the default), `prefer` or `require`.
    public var sslMode: String
    /// A directory holding the server's Unix socket (`?host=/dir`, as libpq takes it); nil for TCP.
    public var socketDirectory: String?
    /// `?application_name=`: how the server's pg_stat_activity names the connection (default "flowmap").
    public var applicationName = "flowmap"

    /// What messages name: the connection string without its password.
    public var display: String {
        "postgresql://\(user)@\(socketDirectory == nil ? host : "")\(socketDirectory == nil ? ":\(port)" : "")/\(database)"
            + (socketDirectory.map { "?host=\($0)" } ?? "")
    }

    /// This process's environment (PGUSER, PGPASSWORD).
    public static var processEnvironment: [String: String] { ProcessInfo.processInfo.environment }

    /// True for a `--db` value that names PostgreSQL rather than an SQLite file.
    public static func isURL(_ s: String) -> Bool {
        s.hasPrefix("postgresql://") || s.hasPrefix("postgres://")
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var value: String
        public var reason: String
        public var description: String {
            "--db \(value): not a PostgreSQL connection string (\(reason)); expected "
                + "postgresql://user[:password]@host[:port]/dbname"
        }
    }

    /// Parses `s`; `environment` supplies PGPASSWORD and PGUSER when the URI has none.
    public init(_ s: String, environment: [String: String] = [:]) throws {
        guard let scheme = s.range(of: "://"), Self.isURL(s) else {
            throw Invalid(value: s, reason: "it does not start with postgresql://")
        }
        var rest = String(s[scheme.upperBound...])
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = String(rest[..<q])
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = String(rest[..<slash])
        }
        var userInfo: String?
        if let at = rest.lastIndex(of: "@") {
            userInfo = String(rest[..<at])
            rest = String(rest[rest.index(after: at)...])
        }
        func decoded(_ part: String, _ what: String) throws -> String {
            guard let d = part.removingPercentEncoding else {
                throw Invalid(value: Self.redacted(s), reason: "bad percent-encoding in the \(what)")
            }
            return d
        }
        var user = environment["PGUSER"] ?? "postgres"
        var password = environment["PGPASSWORD"]
        if let ui = userInfo {
            if let colon = ui.firstIndex(of: ":") {
                user = try decoded(String(ui[..<colon]), "user")
                password = try decoded(String(ui[ui.index(after: colon)...]), "password")
            } else if !ui.isEmpty {
                user = try decoded(ui, "user")
            }
        }
        var host = rest.isEmpty ? "localhost" : rest
        var port = 5432
        if host.hasPrefix("[") {  // [IPv6]:port
            guard let close = host.firstIndex(of: "]") else {
                throw Invalid(value: Self.redacted(s), reason: "an unclosed [ in the host")
            }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw Invalid(value: Self.redacted(s), reason: "the port is not a number from 1 to 65535")
                }
                port = p
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else {
                throw Invalid(value: Self.redacted(s), reason: "the port is not a number from 1 to 65535")
            }
            port = p
            host = String(host[..<colon])
        }
        var sslMode = "disable"
        var socket: String?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let key = kv[0], value = try decoded(kv.count > 1 ? kv[1] : "", "parameter \(kv[0])")
            switch key {
            case "sslmode":
                guard ["disable", "prefer", "require"].contains(value) else {
                    throw Invalid(value: Self.redacted(s), reason: "sslmode=\(value): FlowMap knows disable, prefer, require")
                }
                sslMode = value
            case "host":
                if value.hasPrefix("/") { socket = value } else { host = value }
            case "port":
                guard let p = Int(value), (1...65535).contains(p) else {
                    throw Invalid(value: Self.redacted(s), reason: "port=\(value) is not a number from 1 to 65535")
                }
                port = p
            case "user": user = value
            case "password": password = value
            case "dbname": path = value
            case "application_name": applicationName = value
            case "connect_timeout": break
            default:
                throw Invalid(value: Self.redacted(s), reason: "unknown parameter \(key)")
            }
        }
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = path.isEmpty ? user : try decoded(path, "database name")
        self.sslMode = sslMode
        self.socketDirectory = socket
    }

    /// `s` with any password replaced by `***`, for messages about a string that did not parse.
    static func redacted(_ s: String) -> String {
        guard let scheme = s.range(of: "://"), let at = s[scheme.upperBound...].lastIndex(of: "@") else { return s }
        let ui = s[scheme.upperBound..<at]
        guard let colon = ui.firstIndex(of: ":") else { return s }
        return String(s[..<colon]) + ":***" + String(s[at...])
    }
}

/// One PostgreSQL connection (postgres-nio), used synchronously: every call blocks its (non event loop) thread
/// until the server answers. The only file that calls postgres-nio.
final class PostgresEngine: NestedTransactions {
    let location: PostgresLocation
    let connection: PostgresConnection
    let logger: Logger
    /// Transactions opened and not yet ended; a nested `transaction` joins the outer one.
    var depth = 0
    /// Statements sent and transactions run again (after a serialization failure or a deadlock), for the tests.
    private(set) var statements = 0, retries = 0

    /// A PostgreSQL error (or a connection failure), with its SQLSTATE when the server sent one.
    struct Failure: Error, CustomStringConvertible {
        var location: String
        var sqlState: String?
        var message: String
        var description: String { "\(location): PostgreSQL error\(sqlState.map { " \($0)" } ?? ""): \(message)" }
        /// A serialization failure or a deadlock: the transaction may succeed when run again.
        var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }
    }

    /// `pg_advisory_xact_lock(class, id)`: FlowMap's class ("FLMP") and its ids (the store, migrations, then
    /// slots for content hashes).
    static let lockClass: Int64 = 0x464C_4D50
    static let storeLock: Int64 = 0, migrationLock: Int64 = 1
    static let hashSlots: (base: Int64, count: UInt64) = (1024, 1024)

    init(location: PostgresLocation) throws {
        self.location = location
        var logger = Logger(label: "flowmap.store.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let tls: PostgresConnection.Configuration.TLS
        switch location.sslMode {
        case "require", "prefer":
            do {
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                tls = location.sslMode == "require" ? .require(context) : .prefer(context)
            } catch {
                throw Failure(location: location.display, sqlState: nil, message: "cannot set up TLS: \(error)")
            }
        default: tls = .disable
        }
        var config: PostgresConnection.Configuration
        if let dir = location.socketDirectory {
            config = .init(unixSocketPath: "\(dir)/.s.PGSQL.\(location.port)", username: location.user,
                           password: location.password, database: location.database)
        } else {
            config = .init(host: location.host, port: location.port, username: location.user,
                           password: location.password, database: location.database, tls: tls)
        }
        config.options.connectTimeout = .seconds(30)
        config.options.additionalStartupParameters = [("application_name", location.applicationName)]
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(),
                                                        configuration: config, id: 1, logger: logger).wait()
        } catch {
            throw Self.failure(error, location.display)
        }
    }

    deinit { try? connection.close().wait() }

    static func failure(_ error: Error, _ location: String) -> Failure {
        if let f = error as? Failure { return f }
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                var message = info[.message] ?? "unknown"
                if let d = info[.detail] { message += " (\(d))" }
                return Failure(location: location, sqlState: info[.sqlState], message: message)
            }
            return Failure(location: location, sqlState: nil,
                           message: e.underlying.map { "\($0)" } ?? "\(e.code)")
        }
        return Failure(location: location, sqlState: nil, message: "\(error)")
    }

    /// Runs SQL text with no values: one statement after another (migrations, BEGIN/COMMIT). postgres-nio sends
    /// each as a prepared statement, which holds one command: the text is split at its semicolons first.
    func simpleQuery(_ sql: String) throws {
        for statement in Self.statements(sql) { _ = try query(statement, []) }
    }

    /// The statements of SQL text: split at semicolons outside quotes and `--` comments; comment-only and empty
    /// pieces dropped. (The store's migrations use no dollar quoting.)
    static func statements(_ sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        var code = false  // the current piece holds more than whitespace and comments
        var lexer = SQLLexer()
        for c in sql {
            switch lexer.kind(of: c) {
            case .commentStart:
                current.append(c)
                if current.trimmingCharacters(in: .whitespacesAndNewlines) == "--" { code = false }
            case .code where c == ";":
                if code { out.append(current.trimmingCharacters(in: .whitespacesAndNewlines)) }
                current = ""
                code = false
            case .code:
                if !c.isWhitespace && c != "-" { code = true }
                current.append(c)
            case .quoted, .comment:
                current.append(c)
            }
        }
        if code { out.append(current.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return out
    }

    /// Runs one statement (`$n` placeholders) with `values` bound; the rows it returns.
    func query(_ sql: String, _ values: [Value]) throws -> [PostgresRow] {
        var binds = PostgresBindings(capacity: values.count)
        do {
            for v in values {
                switch v {
                case .int(let n): binds.append(n)
                case .text(let s): binds.append(s)
                case .null: binds.appendNull()
                }
            }
            statements += 1
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait().rows
        } catch {
            throw Self.failure(error, location.display)
        }
    }

    /// `query` for a statement written with `?` placeholders.
    func run(_ sql: String, _ values: [Value] = []) throws -> [PostgresRow] {
        try query(Self.numbered(sql), values)
    }

    /// `?` placeholders as PostgreSQL's `$1, $2, …` (not inside quotes or comments). The SQL is the store's
    /// own text, never input; values stay bound.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var lexer = SQLLexer()
        for c in sql {
            if lexer.kind(of: c) == .code && c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The store's SQL text read one character at a time (`statements`, `numbered`): inside quotes, inside a
    /// `--` comment (from its second `-` to the end of the line), or code (an opening quote and the first `-` of
    /// a comment too). The store's SQL uses no dollar quoting.
    struct SQLLexer {
        enum Kind { case code, quoted, commentStart, comment }
        private var quote: Character?
        private var comment = false
        private var previous: Character = " "

        mutating func kind(of c: Character) -> Kind {
            defer { previous = c }
            if comment {
                if c == "\n" { comment = false }
                return .comment
            }
            if let q = quote {
                if c == q { quote = nil }
                return .quoted
            }
            if c == "-" && previous == "-" {
                comment = true
                return .commentStart
            }
            if c == "'" || c == "\"" { quote = c }
            return .code
        }
    }

    /// Runs `body` in one REPEATABLE READ, READ ONLY transaction: its reads see one snapshot of the database.
    /// Inside another transaction, `body` joins it.
    func snapshot<T>(_ body: () throws -> T) throws -> T {
        try within("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Runs `body` in one READ COMMITTED transaction, again (up to 100 times) after a serialization failure or a
    /// deadlock. Inside another transaction, `body` joins it.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try within("BEGIN ISOLATION LEVEL READ COMMITTED", retry: { error, attempt in
            guard let f = error as? Failure, f.isRetryable, attempt < 100 else { return false }
            retries += 1
            // Back off a random while (up to 2^attempt ms, at most 0.25 s), so that the writers that collided do
            // not collide again.
            let ms = UInt64.random(in: 1...min(250, UInt64(1) << min(attempt + 1, 8)))
            usleep(UInt32(ms * 1000))
            return true
        }, body)
    }

    /// `NestedTransactions`: BEGIN, COMMIT and ROLLBACK.
    func exec(_ sql: String) throws { try simpleQuery(sql) }

    /// The newest applied migration, 0 for a database without FlowMap's tables.
    func schemaVersion() throws -> Int {
        let exists = try run("SELECT to_regclass('flowmap_migrations') IS NOT NULL")
        guard try exists.first?.decode(Bool.self) == true else { return 0 }
        let rows = try run("SELECT coalesce(max(version), 0) FROM flowmap_migrations")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// Tables in the connection's current schema (to refuse another program's database).
    func tableNames() throws -> [String] {
        try run("""
            SELECT CAST(table_name AS text) FROM information_schema.tables
            WHERE table_schema = current_schema() ORDER BY 1
            """).map { try $0.decode(String.self) }
    }

    func lockForWrite(contentHash: String?) throws {
        if let h = contentHash {
            // The shared store lock first, then the hash's: every writer in the same order.
            _ = try run("""
                SELECT pg_advisory_xact_lock_shared(CAST(? AS integer), CAST(? AS integer)),
                       pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))
                """, [.int(Self.lockClass), .int(Self.storeLock), .int(Self.lockClass), .int(Self.slot(h, Self.hashSlots))])
        } else {
            _ = try run("SELECT pg_advisory_xact_lock_shared(CAST(? AS integer), CAST(? AS integer))",
                        [.int(Self.lockClass), .int(Self.storeLock)])
        }
    }

    /// Rows per statement of a bulk insert: bounds one message's size (a few MB) whatever the batch.
    static let bulkRows = 20_000

    /// `Database.insert` on PostgreSQL: the rows sorted (`Value.precedes`), one statement per chunk; a key's
    /// second row (third, …) goes to a later round of statements, so each row is applied after the ones before it.
    func insert(_ spec: BulkInsert, _ rows: [[Value]]) throws {
        var rounds: [[[Value]]] = []
        var seen = [[Value]: Int]()
        for r in rows {
            let key = Array(r.prefix(spec.keyColumns))
            let n = seen[key, default: 0]
            seen[key] = n + 1
            if n == rounds.count { rounds.append([]) }
            rounds[n].append(r)
        }
        for var round in rounds {
            round.sort(by: Value.precedes)
            var start = 0
            while start < round.count {
                let chunk = round[start..<min(start + Self.bulkRows, round.count)]
                var binds = PostgresBindings(capacity: spec.columns.count)
                let types = Self.append(chunk, columns: spec.columns, table: spec.table, to: &binds)
                statements += 1
                do {
                    _ = try connection.query(PostgresQuery(unsafeSQL: spec.unnestSQL(types: types), binds: binds),
                                             logger: logger).wait()
                } catch {
                    throw Self.failure(error, location.display)
                }
                start += Self.bulkRows
            }
        }
    }

    /// Runs `sql` (`$n` placeholders) with `values` bound first, then each column of `rows` as one array (the
    /// first column's is `$\(values.count + 1)`). The rows it returns, each column an integer (BIGINT, INTEGER,
    /// boolean), text, or NULL.
    func query(_ sql: String, _ values: [Value] = [], arrays rows: [[Value]], columns: [String]) throws -> [[Value]] {
        var binds = PostgresBindings(capacity: values.count + columns.count)
        for v in values {
            switch v {
            case .int(let n): binds.append(n)
            case .text(let s): binds.append(s)
            case .null: binds.appendNull()
            }
        }
        _ = Self.append(rows[...], columns: columns, table: "(query)", to: &binds)
        statements += 1
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait().rows
                .map { row in
                    try row.map { c -> Value in
                        guard c.bytes != nil else { return .null }
                        switch c.dataType {
                        case .bool: return .int(try c.decode(Bool.self) ? 1 : 0)
                        case .int8, .int4, .int2: return .int(try c.decode(Int64.self))
                        default: return .text(try c.decode(String.self))
                        }
                    }
                }
        } catch {
            throw Self.failure(error, location.display)
        }
    }

    /// Appends each column of `rows` to `binds` as one array (BIGINT[] or TEXT[]); the arrays' SQL types.
    static func append(_ rows: ArraySlice<[Value]>, columns: [String], table: String,
                       to binds: inout PostgresBindings) -> [String] {
        var types: [String] = []
        for (c, name) in columns.enumerated() {
            switch rows.first?[c] ?? .int(0) {
            case .int:
                binds.append(rows.map { row -> Int64 in
                    guard case .int(let n) = row[c] else { preconditionFailure("\(table).\(name): not all integers") }
                    return n
                })
                types.append("bigint[]")
            case .text:
                binds.append(rows.map { row -> String in
                    guard case .text(let s) = row[c] else { preconditionFailure("\(table).\(name): not all text") }
                    return s
                })
                types.append("text[]")
            case .null:
                // Bulk columns are NOT NULL columns of the store: a NULL here is a defect of the caller.
                preconditionFailure("\(table).\(name): a NULL in a bulk insert")
            }
        }
        return types
    }

    func lockExclusive() throws {
        _ = try run("SELECT pg_advisory_xact_lock(CAST(? AS integer), CAST(? AS integer))",
                    [.int(Self.lockClass), .int(Self.storeLock)])
    }

    /// A lock id for `s` in `slots` (FNV-1a: the same in every process, unlike Swift's seeded Hasher).
    static func slot(_ s: String, _ slots: (base: Int64, count: UInt64)) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return slots.base + Int64(h % slots.count)
    }
}

/// A statement on PostgreSQL: bound values are sent with it; its rows are read whole when first stepped.
final class PostgresStatement {
    let engine: PostgresEngine
    let sql: String
    private var values: [Value] = []
    private var rows: [PostgresRandomAccessRow]?
    private var index = -1

    init(engine: PostgresEngine, sql: String) {
        self.engine = engine
        self.sql = PostgresEngine.numbered(sql)
    }

    func bind(_ values: [Value]) {
        self.values = values
        rows = nil
        index = -1
    }

    func step() throws -> Bool {
        if rows == nil {
            rows = try engine.query(sql, values).map { $0.makeRandomAccess() }
            index = -1
        }
        index += 1
        if index >= rows!.count {
            rows = nil  // stepping again runs the statement again, as SQLite does after its last row
            return false
        }
        return true
    }

    func run() throws {
        _ = try engine.query(sql, values)
        rows = nil
        index = -1
    }

    private func cell(_ col: Int) -> PostgresCell {
        guard let rows, index >= 0, index < rows.count, col < rows[index].count else {
            preconditionFailure("\(sql): no column \(col) in the current row")
        }
        return rows[index][col]
    }

    func isNull(_ col: Int) -> Bool { cell(col).bytes == nil }

    func int(_ col: Int) -> Int64 {
        let c = cell(col)
        guard c.bytes != nil else { return 0 }
        do {
            if c.dataType == .bool { return try c.decode(Bool.self) ? 1 : 0 }
            return try c.decode(Int64.self)
        } catch {
            // The store's columns and expressions are BIGINT or boolean: anything else is a defect of this file.
            preconditionFailure("\(sql): column \(col) is \(c.dataType), not an integer")
        }
    }

    func text(_ col: Int) -> String {
        let c = cell(col)
        guard c.bytes != nil else { return "" }
        do { return try c.decode(String.self) } catch {
            preconditionFailure("\(sql): column \(col) is \(c.dataType), not text")
        }
    }
}
