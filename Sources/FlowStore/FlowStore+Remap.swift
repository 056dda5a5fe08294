import FlowModel

/// Flows with addresses no inventory knew when they were read (schema 8, `unmapped_flows`), and moving them onto
/// the workloads a later inventory maps them to (`flowmap remap`).
extension FlowStore {
    /// One kept row: the flows and where they are counted.
    public struct StoredUnmapped: Sendable, Hashable {
        public var flow: UnmappedFlow
        public var source: Int64
    }

    /// Where a kept row's flows go: the edges they belong to now (a Service address fans out to each backend, as
    /// at ingest), with the ends still unknown, and what the mapped ends tell (pod IP, labels, namespace labels).
    public struct Move: Sendable {
        public var from: StoredUnmapped
        public var to: [(edge: EdgeKey, sides: UInt8)]
        public var peers: [FlowPeer]
        /// The Service (`namespace/name`) a ClusterIP destination stands for, recorded for each mapped backend
        /// (`source_services`, as the reader notes it); empty when the destination was no ClusterIP.
        public var service: String
        /// Per target (parallel to `to`; missing: none): the node addresses of the ends mapped now (a node entity or
        /// a host-network pod, `EdgeAddresses.records`). An end known when read keeps the address its old edge
        /// recorded for this row (`u.sourceIP` / `u.destinationIP`), if it recorded one.
        public var addresses: [EdgeAddresses]
        public init(from: StoredUnmapped, to: [(edge: EdgeKey, sides: UInt8)], peers: [FlowPeer], service: String = "",
                    addresses: [EdgeAddresses] = []) {
            self.from = from
            self.to = to
            self.peers = peers
            self.service = service
            self.addresses = addresses
        }
    }

    /// Adds to a kept row (its key, sides, count, first and last seen).
    static let upsertUnmappedRows = BulkInsert.counting(
        table: "unmapped_flows",
        columns: ["src", "dst", "proto", "port", "outcome", "bucket", "point", "source_id", "src_ip", "dst_ip",
                  "sides", "flows", "first_seen", "last_seen"],
        keys: 10, sum: ["flows"], min: ["first_seen"], max: ["last_seen"])
    static let upsertUnmapped = upsertUnmappedRows.sql

    /// Part of `writeSource`: the batch's unmapped flows, counted under `source`.
    func writeUnmapped(_ batch: IngestBatch, source: Int64, key: (BucketedEdge) throws -> [Value]) throws {
        try db.insert(Self.upsertUnmappedRows, try batch.unmapped.map { u in
            try key(u.edge) + [.text(u.point), .int(source), .text(u.sourceIP), .text(u.destinationIP),
                               .int(Int64(u.sides)), .int(u.stats.flows), .int(u.stats.firstSeen),
                               .int(u.stats.lastSeen)]
        })
    }

    /// Every kept row, in key order.
    public func unmappedFlows() throws -> [StoredUnmapped] {
        let eps = try endpointMap()
        let q = try db.prepare("""
            SELECT src, dst, proto, port, outcome, bucket, point, source_id, src_ip, dst_ip, sides, flows, first_seen,
                   last_seen
            FROM unmapped_flows ORDER BY src, dst, proto, port, outcome, bucket, point, source_id, src_ip, dst_ip
            """)
        var out: [StoredUnmapped] = []
        while try q.step() {
            guard let key = EdgeRow(q).key(eps) else { continue }
            out.append(StoredUnmapped(
                flow: UnmappedFlow(sides: UInt8(truncatingIfNeeded: q.int(10)), sourceIP: q.text(8),
                                   destinationIP: q.text(9), edge: BucketedEdge(edge: key, bucket: q.int(5)),
                                   point: q.text(6),
                                   stats: EdgeStats(flows: q.int(11), firstSeen: q.int(12), lastSeen: q.int(13))),
                source: q.int(7)))
        }
        return out
    }

    /// Moves each row's flows from the edge they are counted in to the edges they belong to, in one transaction:
    /// the source's point row loses them (and goes when nothing is left), each target's gains them, drop reasons
    /// follow, both buckets are recomputed, the mapped ends' facts are recorded for the source, and the row is
    /// kept only for ends still unknown.
    public func move(_ moves: [Move]) throws {
        guard !moves.isEmpty else { return }
        try db.transaction {
            try db.lockExclusive()  // PostgreSQL: no batch writes beside a remap
            let refresh = try BucketRefresh(db)
            let subtract = try db.prepare("""
                UPDATE edge_bucket_points SET flows = CASE WHEN flows > ? THEN flows - ? ELSE 0 END
                WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ? AND point = ?
                  AND source_id = ?
                """)
            let deleteEmpty = try db.prepare("""
                DELETE FROM edge_bucket_points
                WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ? AND point = ?
                  AND source_id = ? AND flows = 0
                """)
            let add = try db.prepare(Self.upsertBucketPoint)
            let copyReasons = try db.prepare("""
                INSERT INTO edge_bucket_drop_reasons (src, dst, proto, port, outcome, bucket, reason, source_id)
                SELECT ?, ?, ?, ?, ?, bucket, reason, source_id FROM edge_bucket_drop_reasons
                WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ? AND source_id = ?
                ON CONFLICT DO NOTHING
                """)
            let dropOrphanReasons = try db.prepare(Self.dropOrphans("edge_bucket_drop_reasons"))
            let insertAddress = try db.prepare(Self.insertEdgeAddresses.sql)
            let copyAddress = try db.prepare("""
                INSERT INTO edge_bucket_addresses (src, dst, proto, port, outcome, bucket, side, address, source_id)
                SELECT ?, ?, ?, ?, ?, bucket, side, address, source_id FROM edge_bucket_addresses
                WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ? AND side = ?
                  AND address = ? AND source_id = ?
                ON CONFLICT DO NOTHING
                """)
            // The old edge's addresses go with its last point row of the (bucket, source); while other flows stay
            // counted there, its addresses stay (they may be those flows').
            let dropOrphanAddresses = try db.prepare(Self.dropOrphans("edge_bucket_addresses"))
            // A Service is recorded on the new edge only when this mapping resolved the ClusterIP (`m.service`): the
            // old edge's Services are not copied, since the row does not say which of them were its flows' (never
            // broader: a remapped connection may name fewer Services, never one it did not use).
            let insertService = try db.prepare(Self.insertEdgeServices.sql)
            let dropOrphanServices = try db.prepare(Self.dropOrphans("edge_bucket_services"))
            let forgetRow = try db.prepare("""
                DELETE FROM unmapped_flows
                WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ? AND point = ?
                  AND source_id = ? AND src_ip = ? AND dst_ip = ?
                """)
            let keep = try db.prepare(Self.upsertUnmapped)
            let fact = try db.prepare(
                "INSERT INTO source_addresses (endpoint_id, address, source_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            let labels = try db.prepare(
                "INSERT INTO source_label_sets (endpoint_id, labels, source_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            let namespace = try db.prepare(Self.upsertNamespace)
            let service = try db.prepare(
                "INSERT INTO source_services (endpoint_id, service, source_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            func edgeValues(_ e: EdgeKey) throws -> [Value] {
                [.int(try endpointID(e.source)), .int(try endpointID(e.destination)), .text(e.proto.rawValue),
                 .int(Int64(e.port)), .text(e.outcome.rawValue)]
            }
            for m in moves {
                let u = m.from.flow, s = m.from.source
                let old = try edgeValues(u.edge.edge)
                let bucket: [Value] = [.int(u.edge.bucket)]
                let at = old + bucket + [.text(u.point), .int(s)]
                try subtract.bind([.int(u.stats.flows), .int(u.stats.flows)] + at).run()
                try deleteEmpty.bind(at).run()
                for (i, t) in m.to.enumerated() {
                    let new = try edgeValues(t.edge)
                    let mapped = i < m.addresses.count ? m.addresses[i] : EdgeAddresses()
                    for (side, unknown, ip) in [(0, u.sides & UnmappedFlow.sourceUnknown != 0, u.sourceIP),
                                                (1, u.sides & UnmappedFlow.destinationUnknown != 0, u.destinationIP)] {
                        if unknown {
                            for a in mapped[side] {
                                try insertAddress.bind(new + bucket + [.int(Int64(side)), .text(a), .int(s)]).run()
                            }
                        } else if !ip.isEmpty {
                            try copyAddress.bind(new + old + bucket + [.int(Int64(side)), .text(ip), .int(s)]).run()
                        }
                    }
                    try add.bind(new + bucket + [.text(u.point), .int(s), .int(u.stats.flows), .int(u.stats.firstSeen),
                                                 .int(u.stats.lastSeen)]).run()
                    try copyReasons.bind(new + old + bucket + [.int(s)]).run()
                    try refresh.run(new + bucket)
                    if !m.service.isEmpty && t.sides & UnmappedFlow.destinationUnknown == 0 {
                        try service.bind(.int(try endpointID(t.edge.destination)), .text(m.service), .int(s)).run()
                        try insertService.bind(new + bucket + [.text(m.service), .int(s)]).run()
                    }
                    if t.sides != 0 {
                        try keep.bind(new + bucket + [.text(u.point), .int(s), .text(u.sourceIP), .text(u.destinationIP),
                                                      .int(Int64(t.sides)), .int(u.stats.flows),
                                                      .int(u.stats.firstSeen), .int(u.stats.lastSeen)]).run()
                    }
                }
                try dropOrphanReasons.bind(old + bucket + [.int(s)]).run()
                try dropOrphanAddresses.bind(old + bucket + [.int(s)]).run()
                try dropOrphanServices.bind(old + bucket + [.int(s)]).run()
                try refresh.run(old + bucket)
                try forgetRow.bind(at + [.text(u.sourceIP), .text(u.destinationIP)]).run()
                for p in m.peers {
                    let id = try endpointID(p.endpoint)
                    if !p.ip.isEmpty { try fact.bind(.int(id), .text(p.ip), .int(s)).run() }
                    if p.endpoint.kind == .workload {
                        if !p.labels.isEmpty {
                            try labels.bind(.int(id), .text(VolatileLabels.stable(p.labels).canonical), .int(s)).run()
                        }
                        if !p.namespaceLabels.isEmpty {
                            try namespace.bind(.text(p.endpoint.namespace), .text(p.namespaceLabels.canonical),
                                               .int(u.stats.lastSeen)).run()
                        }
                    }
                }
            }
            try dropUnreferencedEndpoints()
        }
    }

    /// Deletes an (edge, bucket, source)'s rows of per-edge `table` once no point row of it is left (bound: edge
    /// key, bucket, source). `table` is one of this file's constants, never input.
    static func dropOrphans(_ table: String) -> String {
        let same = ["src", "dst", "proto", "port", "outcome", "bucket", "source_id"].map { "p.\($0) = \(table).\($0)" }
        return """
            DELETE FROM \(table)
            WHERE src = ? AND dst = ? AND proto = ? AND port = ? AND outcome = ? AND bucket = ? AND source_id = ?
              AND NOT EXISTS (SELECT 1 FROM edge_bucket_points p WHERE \(same.joined(separator: " AND ")))
            """
    }
}
