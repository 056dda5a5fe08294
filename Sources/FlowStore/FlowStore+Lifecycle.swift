import FlowModel

/// The store over time (schema 7): its bucket width, and the lifecycle verbs `forget`, `prune` and `export`.
extension FlowStore {
    /// What a lifecycle operation refused.
    public struct LifecycleFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The store's bucket width in nanoseconds (recorded in `store_meta` when the store was created).
    public var bucketWidth: Int64 {
        get throws {
            if try !isBucketed { return TimeBucket.defaultWidth }
            let q = try db.prepare("SELECT value FROM store_meta WHERE key = 'bucket_ns'")
            guard try q.step(), q.int(0) > 0 else { return TimeBucket.defaultWidth }
            return q.int(0)
        }
    }

    /// Sets the bucket width of a store that holds nothing yet; on a store that holds sources, a different width
    /// is an error naming the store's (buckets cannot be split or re-cut after the fact).
    public func useBucketWidth(_ width: Int64) throws {
        try db.transaction {
            try db.lockExclusive()  // PostgreSQL: no batch is written meanwhile
            let current = try bucketWidth
            if current == width { return }
            let q = try db.prepare("SELECT count(*) FROM sources")
            if try q.step(), q.int(0) > 0 {
                throw LifecycleFailure(description: "\(path): the store keeps \(RelativeTime.format(duration: current)) "
                    + "buckets (set when it was created); --bucket \(RelativeTime.format(duration: width)) needs a new "
                    + "--db file, or leave --bucket out")
            }
            try db.prepare("INSERT INTO store_meta (key, value) VALUES ('bucket_ns', ?) "
                           + "ON CONFLICT (key) DO UPDATE SET value = excluded.value").bind(.int(width)).run()
        }
    }

    /// What `forget` removed.
    public struct Forgotten: Sendable, Equatable {
        public var sources: [SourceRecord]
        /// (edge, bucket) rows that changed or went.
        public var buckets: Int
    }

    /// Removes the contribution of the sources `selector` names (a source id as `flowmap sources` lists it, or
    /// a path, which names every source ingested from it): their per-source counts, drop reasons, L7 requests and
    /// endpoint facts go, and each bucket they touched is recomputed from the remaining sources (count, first and
    /// last seen). Endpoints nothing refers to any more go too. Inventories and sources ingested before schema 7
    /// (merged with the others) are refused: nothing is changed then.
    public func forget(_ selector: String) throws -> Forgotten {
        try db.transaction {
            try db.lockExclusive()  // PostgreSQL: no batch writes beside a forget
            let all = try sources()
            let chosen = all.filter { "\($0.id)" == selector || $0.path == selector }
            guard !chosen.isEmpty else {
                let known = all.prefix(5).map { "\($0.id) \($0.path)" }.joined(separator: ", ")
                throw LifecycleFailure(description: "\(path): no source \(selector); `flowmap sources --db \(path)` "
                    + "lists them" + (known.isEmpty ? " (the store holds none)" : " (e.g. \(known))"))
            }
            if let old = chosen.first(where: { !$0.attributed }) {
                throw LifecycleFailure(description: "\(path): source \(old.id) (\(old.path)) was ingested before "
                    + "per-source counts (schema 7): its counts are merged with the others'. Nothing was forgotten; "
                    + "re-ingest the sources you keep into a new --db file")
            }
            if let inv = chosen.first(where: { $0.format == "inventory" }) {
                throw LifecycleFailure(description: "\(path): source \(inv.id) (\(inv.path)) is an inventory, which "
                    + "later inventories update rather than add to; nothing was forgotten. Ingest a newer inventory "
                    + "instead")
            }
            var touched = 0
            let refresh = try BucketRefresh(db)
            for s in chosen {
                let affected = try db.prepare("""
                    SELECT DISTINCT src, dst, proto, port, outcome, bucket FROM edge_bucket_points WHERE source_id = ?
                    """).bind(.int(s.id))
                var keys: [[Value]] = []
                while try affected.step() {
                    keys.append([.int(affected.int(0)), .int(affected.int(1)), .text(affected.text(2)),
                                 .int(affected.int(3)), .text(affected.text(4)), .int(affected.int(5))])
                }
                // Table names are the constants listed here, never input.
                for t in ["edge_bucket_points", "edge_bucket_drop_reasons", "edge_bucket_l7", "edge_bucket_addresses",
                          "edge_bucket_services", "source_label_sets", "source_addresses", "source_names",
                          "source_services", "unmapped_flows", "sources_before_edge_addresses",
                          "sources_before_edge_services"] {
                    try db.prepare("DELETE FROM \(t) WHERE source_id = ?").bind(.int(s.id)).run()
                }
                try refresh.runAll(keys)
                touched += keys.count
                try db.prepare("DELETE FROM source_evidence WHERE source_id = ?").bind(.int(s.id)).run()
                try db.prepare("DELETE FROM sources WHERE id = ?").bind(.int(s.id)).run()
            }
            try dropUnreferencedEndpoints()
            return Forgotten(sources: chosen, buckets: touched)
        }
    }

    /// What `prune` dropped.
    public struct Pruned: Sendable, Equatable {
        /// Distinct buckets (time slots) dropped.
        public var buckets: Int
        /// (edge, bucket) rows dropped.
        public var rows: Int
    }

    /// Drops every bucket that ends at or before `before` (`bucket + width <= before`): the bucket holding
    /// `before` is kept whole. Sources stay listed; what they contributed to later buckets stays.
    public func prune(before: Int64) throws -> Pruned {
        try db.transaction {
            try db.lockExclusive()  // PostgreSQL: no batch writes beside a prune
            let width = try bucketWidth
            let (limit, overflow) = before.subtractingReportingOverflow(width)
            guard !overflow else { return Pruned(buckets: 0, rows: 0) }
            // bucket + width <= before, written so that it cannot overflow: bucket <= before - width.
            let q = try db.prepare("SELECT count(DISTINCT bucket), count(*) FROM edge_buckets WHERE bucket <= ?")
                .bind(.int(limit))
            guard try q.step() else { throw db.error(1) }
            let out = Pruned(buckets: Int(q.int(0)), rows: Int(q.int(1)))
            for t in ["edge_buckets", "edge_bucket_points", "edge_bucket_drop_reasons", "edge_bucket_l7",
                      "edge_bucket_addresses", "edge_bucket_services", "unmapped_flows"] {
                try db.prepare("DELETE FROM \(t) WHERE bucket <= ?").bind(.int(limit)).run()
            }
            try dropUnreferencedEndpoints()
            return out
        }
    }

    /// Every edge per bucket in `window`, sorted by edge then bucket (for `export`).
    public func bucketedEdges(window: TimeWindow = .all) throws -> [(key: BucketedEdge, stats: EdgeStats)] {
        let eps = try endpointMap()
        let range = window.bucketRange(width: try bucketWidth)
        var reasons = [BucketedRow: Set<String>]()
        let r = try db.prepare("""
            SELECT DISTINCT src, dst, proto, port, outcome, bucket, reason FROM edge_bucket_drop_reasons
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        while try r.step() { reasons[BucketedRow(r), default: []].insert(r.text(6)) }
        let q = try db.prepare("""
            SELECT src, dst, proto, port, outcome, bucket, flows, first_seen, last_seen FROM edge_buckets
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        // A label identity reads as its workload (`endpointMap`), so two rows may share one key: the same
        // connections seen at another hop, joined as `edges` joins them. One record per key, as the schema says.
        var byKey = [BucketedEdge: [EdgeStats]]()
        while try q.step() {
            let row = BucketedRow(q)
            guard let key = row.edge.key(eps) else { continue }
            byKey[BucketedEdge(edge: key, bucket: row.bucket), default: []].append(
                EdgeStats(flows: q.int(6), firstSeen: q.int(7), lastSeen: q.int(8), dropReasons: reasons[row] ?? []))
        }
        return byKey.map { (key: $0.key, stats: Self.joined($0.value)) }.sorted { $0.key < $1.key }
    }

    /// The node ends' addresses and the Services of every edge per bucket in `window` (`EdgeAddresses`, for
    /// `export`), the union over sources.
    public func bucketedEdgeAddresses(window: TimeWindow = .all) throws -> [BucketedEdge: EdgeAddresses] {
        let eps = try endpointMap()
        let range = window.bucketRange(width: try bucketWidth)
        let q = try db.prepare("""
            SELECT DISTINCT src, dst, proto, port, outcome, bucket, side, address FROM edge_bucket_addresses
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        var out = [BucketedEdge: EdgeAddresses]()
        while try q.step() {
            let row = BucketedRow(q)
            guard let key = row.edge.key(eps) else { continue }
            out[BucketedEdge(edge: key, bucket: row.bucket), default: EdgeAddresses()][Int(q.int(6))].insert(q.text(7))
        }
        let v = try db.prepare("""
            SELECT DISTINCT src, dst, proto, port, outcome, bucket, service FROM edge_bucket_services
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        while try v.step() {
            let row = BucketedRow(v)
            guard let key = row.edge.key(eps) else { continue }
            out[BucketedEdge(edge: key, bucket: row.bucket), default: EdgeAddresses()].services.insert(v.text(6))
        }
        return out
    }

    /// Endpoints no evidence, endpoint fact or inventory pod refers to (after a forget or prune).
    func dropUnreferencedEndpoints() throws {
        try db.exec("""
            DELETE FROM endpoints WHERE id NOT IN (
              SELECT src FROM edge_buckets UNION SELECT dst FROM edge_buckets
              UNION SELECT src FROM edge_bucket_l7 UNION SELECT dst FROM edge_bucket_l7
              UNION SELECT endpoint_id FROM source_label_sets UNION SELECT endpoint_id FROM source_addresses
              UNION SELECT endpoint_id FROM source_names UNION SELECT endpoint_id FROM source_services
              UNION SELECT endpoint_id FROM listening_ports
              UNION SELECT endpoint_id FROM inventory_pods)
            """)
    }
}

/// Raw key columns of a bucketed edge row (the first six columns of a query).
struct BucketedRow: Hashable {
    var edge: EdgeRow
    var bucket: Int64
    init(_ q: Statement) {
        edge = EdgeRow(q)
        bucket = q.int(5)
    }
}
