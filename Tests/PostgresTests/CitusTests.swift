import Foundation
import Testing
@testable import FlowStore

/// What Citus needs of the schema, checked on plain PostgreSQL (the catalog of a migrated store) against the
/// `-- citus:` lines of schema/postgres/0001_initial.sql: every table is named there once, as distributed by a
/// column or as a reference table; every primary or unique key of a distributed table contains its distribution
/// column; distributed tables co-locate (one column type); no reference table has a foreign key to a distributed
/// one (Citus refuses those).
@Suite("Citus distribution rules")
struct CitusTests {
    struct Plan {
        var distributed: [String: String] = [:]
        var reference: Set<String> = []
    }

    static func plan() throws -> Plan {
        var plan = Plan()
        var named: [String] = []
        for (_, sql) in PostgresMigrations.files {
            for line in sql.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard let i = words.firstIndex(of: "citus:") else { continue }
                let rest = Array(words[(i + 1)...])
                if rest.count == 4 && rest[0] == "distributed" && rest[2] == "by" {
                    plan.distributed[rest[1]] = rest[3]
                    named.append(rest[1])
                } else if rest.count == 2 && rest[0] == "reference" {
                    plan.reference.insert(rest[1])
                    named.append(rest[1])
                }
            }
        }
        #expect(Set(named).count == named.count, "a table is named twice in the citus: lines")
        return plan
    }

    func rows(_ h: PostgresHarness, _ db: String, _ sql: String) throws -> [[String]] {
        let r = try h.psql(db, sql)
        #expect(r.status == 0, "\(r.output)")
        return r.output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Unique indexes (primary keys included) of distributed tables that lack the distribution column, and how
    /// many unique indexes of distributed tables were looked at.
    func uniqueKeyViolations(_ h: PostgresHarness, _ db: String, _ plan: Plan) throws -> ([String], Int) {
        let keys = try rows(h, db, """
            SELECT c.relname, i.relname, string_agg(a.attname, ',' ORDER BY a.attnum)
            FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (x.indkey)
            WHERE n.nspname = 'public' AND x.indisunique
            GROUP BY c.relname, i.relname ORDER BY 1, 2
            """)
        var out: [String] = []
        var checked = 0
        for k in keys {
            guard let column = plan.distributed[k[0]] else { continue }
            checked += 1
            if !k[2].split(separator: ",").map(String.init).contains(column) {
                out.append("\(k[0]): unique key \(k[1]) (\(k[2])) lacks the distribution column \(column)")
            }
        }
        return (out, checked)
    }

    @Test("every table is distributed or a reference table; every unique key of a distributed table holds its column")
    func distributionRules() throws {
        let plan = try Self.plan()
        #expect(plan.distributed.count >= 5 && plan.reference.count >= 10)
        let h = try PostgresHarness.server()
        let url = try h.createDatabase()
        _ = try FlowStore(path: url)
        let db = PostgresHarness.database(of: url)
        let tables = Set(try rows(h, db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").map { $0[0] })
        let unnamed = tables.subtracting(plan.distributed.keys).subtracting(plan.reference).sorted()
        let absent = Set(plan.distributed.keys).union(plan.reference).subtracting(tables).sorted()
        #expect(unnamed.isEmpty, "tables without a citus: line: \(unnamed)")
        #expect(absent.isEmpty, "named in citus: lines but absent: \(absent)")
        let (violations, checked) = try uniqueKeyViolations(h, db, plan)
        #expect(violations.isEmpty, "\(violations)")
        #expect(checked >= plan.distributed.count, "every distributed table has at least its primary key")
        // Co-location: one type for every distribution column.
        let types = try rows(h, db, """
            SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'
            """)
        let distTypes = Set(types.filter { plan.distributed[$0[0]] == $0[1] }.map { $0[2] })
        #expect(distTypes == ["bigint"])
        #expect(types.filter { plan.distributed[$0[0]] == $0[1] }.count == plan.distributed.count)
        // Foreign keys: from a reference table, only to reference tables.
        let fks = try rows(h, db, """
            SELECT c.relname, f.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_class f ON f.oid = k.confrelid WHERE k.contype = 'f'
            """)
        #expect(!fks.isEmpty)
        for fk in fks where plan.reference.contains(fk[0]) {
            #expect(plan.reference.contains(fk[1]), "reference table \(fk[0]) has a foreign key to distributed \(fk[1])")
        }
    }

    @Test("the rule check fails on a key without the distribution column (a test that can fail)")
    func ruleCatchesABadKey() throws {
        let h = try PostgresHarness.server()
        let url = try h.createDatabase()
        _ = try FlowStore(path: url)
        let db = PostgresHarness.database(of: url)
        #expect(try uniqueKeyViolations(h, db, Self.plan()).0.isEmpty)
        #expect(try h.psql(db, "CREATE UNIQUE INDEX bad ON edge_buckets (dst, bucket)").status == 0)
        #expect(try uniqueKeyViolations(h, db, Self.plan()).0 == ["edge_buckets: unique key bad (dst,bucket) lacks the distribution column src"])
    }
}
