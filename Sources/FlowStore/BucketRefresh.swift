import FlowModel

/// Recomputes one edge's row in `edge_buckets` from its per source, per point rows: points summed over sources,
/// then `FlowStore.pointCount` over points; first/last seen the min/max of the remaining rows. With no rows left
/// (a source forgotten, a bucket pruned) the bucket row goes too. Run after every change to the point rows.
struct BucketRefresh {
    let select: Statement
    let upsert: Statement
    let delete: Statement

    init(_ db: Database) throws {
        select = try db.prepare("""
            SELECT point, flows, first_seen, last_seen FROM edge_bucket_points
            WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ?
            """)
        upsert = try db.prepare("""
            INSERT INTO edge_buckets (src, dst, proto, port, outcome, bucket, flows, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (src, dst, proto, port, outcome, bucket) DO UPDATE SET
              flows = excluded.flows, first_seen = excluded.first_seen, last_seen = excluded.last_seen
            """)
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
}
