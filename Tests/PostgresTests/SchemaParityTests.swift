import Foundation
import Testing
@testable import FlowStore

/// Every table and column of a migrated SQLite store has its twin in a migrated PostgreSQL store: a SQLite
/// migration without its schema/postgres/ twin fails here (the other backend would lack what the verbs read).
@Suite("Schema parity: SQLite and PostgreSQL")
struct SchemaParityTests {
    /// A column as both engines describe it: its name, whether it may be NULL, whether it is in the primary key.
    struct Column: Hashable, CustomStringConvertible {
        var name: String
        var notNull: Bool
        var primaryKey: Bool
        var description: String { "\(name)\(notNull ? " NOT NULL" : "")\(primaryKey ? " PK" : "")" }
    }

    /// Tables only one backend has, each with its reason.
    static let sqliteOnly = FlowStore.mergeTables.emptied  // schema 7 emptied them; PostgreSQL starts bucketed
    static let postgresOnly: Set<String> = ["flowmap_migrations"]  // SQLite records its version in user_version

    static func sqliteColumns(_ s: FlowStore, _ table: String) throws -> Set<Column> {
        let q = try s.db.prepare("SELECT name, \"notnull\", pk FROM pragma_table_info(?)").bind(.text(table))
        var out = Set<Column>()
        // An INTEGER PRIMARY KEY is the rowid: never NULL, though SQLite reports notnull = 0 for it.
        while try q.step() { out.insert(Column(name: q.text(0), notNull: q.int(1) != 0 || q.int(2) > 0, primaryKey: q.int(2) > 0)) }
        return out
    }

    static func postgresColumns(_ s: FlowStore, _ table: String) throws -> Set<Column> {
        let q = try s.db.prepare("""
            SELECT CAST(c.column_name AS text), CAST(c.is_nullable AS text),
                   CASE WHEN EXISTS (
                     SELECT 1 FROM information_schema.table_constraints t
                     JOIN information_schema.key_column_usage k
                       ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
                     WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema
                       AND t.table_name = c.table_name AND k.column_name = c.column_name) THEN 1 ELSE 0 END
            FROM information_schema.columns c
            WHERE c.table_schema = current_schema() AND c.table_name = ?
            """).bind(.text(table))
        var out = Set<Column>()
        while try q.step() { out.insert(Column(name: q.text(0), notNull: q.text(1) == "NO", primaryKey: q.int(2) != 0)) }
        return out
    }

    static func stores() throws -> (sqlite: FlowStore, postgres: FlowStore, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sqlite = try FlowStore(path: dir.appendingPathComponent("s.db").path)
        let postgres = try FlowStore(path: try PostgresHarness.server().createDatabase())
        return (sqlite, postgres, dir)
    }

    @Test("every SQLite table and column (name, NOT NULL, primary key) has its PostgreSQL twin, and no more")
    func tablesAndColumns() throws {
        let (sqlite, postgres, dir) = try Self.stores()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = Set(try sqlite.db.tableNames()).subtracting(Self.sqliteOnly)
        let b = Set(try postgres.db.tableNames()).subtracting(Self.postgresOnly)
        #expect(a.subtracting(b).isEmpty, "SQLite tables without a PostgreSQL twin (add schema/postgres/NNNN_*.sql): \(a.subtracting(b).sorted())")
        #expect(b.subtracting(a).isEmpty, "PostgreSQL tables SQLite lacks: \(b.subtracting(a).sorted())")
        #expect(a.count > 20, "\(a.sorted())")
        for t in a.intersection(b).sorted() {
            let x = try Self.sqliteColumns(sqlite, t), y = try Self.postgresColumns(postgres, t)
            #expect(!x.isEmpty)
            #expect(x == y, "\(t): SQLite only \(x.subtracting(y).sorted { $0.name < $1.name }), PostgreSQL only \(y.subtracting(x).sorted { $0.name < $1.name })")
        }
    }

    @Test("the parity check sees a column PostgreSQL lacks (a test that can fail)")
    func catchesAMissingColumn() throws {
        let (sqlite, postgres, dir) = try Self.stores()
        defer { try? FileManager.default.removeItem(at: dir) }
        try postgres.db.exec("ALTER TABLE endpoints DROP COLUMN cluster CASCADE")
        let x = try Self.sqliteColumns(sqlite, "endpoints"), y = try Self.postgresColumns(postgres, "endpoints")
        #expect(x.subtracting(y).map(\.name) == ["cluster"])
    }
}
