import FlowModel

/// Recomputes one edge's row in `edge_buckets` from its per source, per point rows: points summed over sources,
/// then `FlowStore.pointCount` over points; first/last seen the min/max of the remaining rows. With no rows left
/// (a source forgotten, a bucket pruned) the bucket row goes too. Run after every change to the point rows.
struct BucketRefresh {
    let db: Database
    let select: Statement
    let upsert: Statement
    let delete: Statement

    init(_ db: Database) throws {
        self.db = db
        select = try db.prepare("""
            SELECT point, flows, first_seen, last_seen FROM edge_bucket_points
            WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ?
            """)
        upsert = try db.prepare(Self.upsertRows.sql)
        delete = try db.prepare("""
            DELETE FROM edge_buckets
            WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ?
            """)
    }

    /// `key`: src, dst, proto, port, outcome, bucket.
    func run(_ key: [Value]) throws {
        var byPoint = [String: EdgeStats]()
        let q = try select.bind(key)
        while try q.step() {
            byPoint[q.text(0), default: EdgeStats()].merge(EdgeStats(flows: q.int(1), firstSeen: q.int(2),
                                                                     lastSeen: q.int(3)))
        }
        guard !byPoint.isEmpty else {
            try delete.bind(key).run()
            return
        }
        let points = Array(byPoint.values)
        let first = points.map(\.firstSeen).min()!, last = points.map(\.lastSeen).max()!
        try upsert.bind(key + [.int(FlowStore.pointCount(points)), .int(first), .int(last)]).run()
    }

    static let keyColumns = ["src", "dst", "proto", "port", "outcome", "bucket"]

    /// The row `runAll` writes for a key: flows, first and last seen from that key's point rows.
    static let upsertRows = BulkInsert(
        table: "edge_buckets", columns: keyColumns + ["flows", "first_seen", "last_seen"], keyColumns: 6,
        conflict: """
            ON CONFLICT (src, dst, proto, port, outcome, bucket) DO UPDATE SET
              flows = excluded.flows, first_seen = excluded.first_seen, last_seen = excluded.last_seen
            """)

    /// Takes the row lock of each key's `edge_buckets` row (inserting a placeholder where there is none yet),
    /// changing nothing in an existing row.
    static let lockRows = BulkInsert(
        table: "edge_buckets", columns: keyColumns + ["flows", "first_seen", "last_seen"], keyColumns: 6,
        conflict: """
            ON CONFLICT (src, dst, proto, port, outcome, bucket) DO UPDATE SET flows = edge_buckets.flows
            """)

    /// `run` for every key of `keys` (distinct). On SQLite, one key after another. On PostgreSQL in four
    /// statements: lock the keys' rows in ascending key order (a writer that shares keys with this one waits
    /// until this one commits, and then reads its point rows: no count is lost to two writers recomputing a row
    /// at once, and no two writers wait for each other in a cycle); read every key's point rows (committed by
    /// other writers, or written by this transaction); write the computed rows; delete those without points.
    /// Call it last in a write transaction: other writers of the same keys wait from here to the commit.
    func runAll(_ keys: [[Value]]) throws {
        guard case .postgres(let p) = db.backend else {
            // In key order, for the same reason as `Database.insert`'s rows.
            for i in Value.keyOrder(keys, keys: Self.keyColumns.count) { try run(keys[i]) }
            return
        }
        guard !keys.isEmpty else { return }
        try db.insert(Self.lockRows, keys.map { $0 + [.int(0), .int(0), .int(0)] })
        let rows = try p.query("""
            SELECT k.i, p.point, p.flows, p.first_seen, p.last_seen
            FROM unnest(CAST($1 AS bigint[]), CAST($2 AS bigint[]), CAST($3 AS text[]), CAST($4 AS bigint[]),
                        CAST($5 AS text[]), CAST($6 AS bigint[])) WITH ORDINALITY AS k (src, dst, proto, port, outcome, bucket, i)
            JOIN edge_bucket_points p ON p.src = k.src AND p.dst = k.dst AND p.proto = k.proto AND p.port = k.port
              AND p.outcome = k.outcome AND p.bucket = k.bucket
            """, arrays: keys, columns: Self.keyColumns)
        var byKey = [Int: [String: EdgeStats]]()
        for r in rows {
            guard case .int(let i) = r[0], case .text(let point) = r[1], case .int(let flows) = r[2],
                  case .int(let first) = r[3], case .int(let last) = r[4]
            else { preconditionFailure("edge_bucket_points: a row of unexpected types") }
            byKey[Int(i) - 1, default: [:]][point, default: EdgeStats()].merge(
                EdgeStats(flows: flows, firstSeen: first, lastSeen: last))
        }
        var upserts: [[Value]] = []
        for (i, k) in keys.enumerated() {
            guard let byPoint = byKey[i] else {
                try delete.bind(k).run()
                continue
            }
            let points = Array(byPoint.values)
            upserts.append(k + [.int(FlowStore.pointCount(points)), .int(points.map(\.firstSeen).min()!),
                                .int(points.map(\.lastSeen).max()!)])
        }
        try db.insert(Self.upsertRows, upserts)
    }
}
