import FlowModel

/// The evidence store: the only place with SQL. Holds aggregated edges with counts and first/last seen, what is
/// known about each endpoint, and a record per ingested source. Two backends behind one set of statements
/// (Database.swift): the embedded SQLite file (the default), or a PostgreSQL database shared by many ingesters
/// (`--db postgresql://…`, Postgres.swift).
public final class FlowStore {
    let db: Database
    /// The file, or the PostgreSQL connection string without its password.
    public let path: String
    /// The evidence window `edges()` and `l7()` read when not given one (a verb's --since/--until).
    public var window: TimeWindow = .all
    /// Tests set this to make a write fail after its edges are written, to prove the transaction rolls back.
    var faultAfterEdges: (() throws -> Void)?

    public enum Failure: Error, CustomStringConvertible {
        case newerSchema(path: String, found: Int, known: Int)
        case notAStore(path: String, reason: String)
        case corrupt(path: String, findings: [String])
        /// The file could not be opened or created: permissions, a missing or read-only directory.
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case .newerSchema(let p, let found, let known):
                return "\(p): written by a newer FlowMap (schema \(found); this FlowMap knows up to \(known)). "
                    + "Upgrade flowmap, or use a new --db file."
            case .notAStore(let p, let r):
                return "\(p): not a FlowMap store (\(r)). Pass a new --db path or a store written by flowmap."
            case .corrupt(let p, let f):
                return "\(p): the store is damaged (\(f.prefix(3).joined(separator: "; "))). "
                    + "Run `flowmap doctor --db \(p)` for details; re-ingest the inputs into a new --db file."
            case .cannotOpen(let p, let r):
                return "\(p): cannot open the store: \(r). Check the path and its permissions (the directory must be "
                    + "writable: SQLite keeps \(p)-wal and \(p)-shm beside it), or pass another --db."
            }
        }
    }

    /// `PRAGMA application_id` of every FlowMap store ("FLMP"), set by migration 3.
    public static let applicationID: Int64 = 0x464C_4D50

    /// Tables every FlowMap schema has had since version 1 (`edges` became `edge_buckets` in schema 7): a file
    /// holding them is an earlier FlowMap's store.
    static let coreTables: Set<String> = ["endpoints", "sources"]
    static let edgeTables: Set<String> = ["edges", "edge_buckets"]

    /// Opens (creating when missing), checks and migrates the store.
    public convenience init(path: String) throws {
        try self.init(path: path, verify: true)
    }

    /// `verify: false` skips the integrity check, for `flowmap doctor`, which runs and reports it itself.
    /// `readOnly` opens an existing store without writing anything (no journal mode, no migration): `doctor`.
    /// Another program's database (an application_id that is not FlowMap's, or tables without FlowMap's) is
    /// refused before anything is written to it.
    /// A `path` starting with postgresql:// or postgres:// opens that PostgreSQL database (`PostgresLocation`);
    /// with `mustExist`, one without FlowMap's tables is refused instead of made a store (the reading verbs: a
    /// wrong database name must not read as "no traffic"; for a file, `Generate.requireExisting` checks first).
    public init(path: String, verify: Bool, readOnly: Bool = false, mustExist: Bool = false) throws {
        if PostgresLocation.isURL(path) {
            let location = try PostgresLocation(path, environment: PostgresLocation.processEnvironment)
            self.path = location.display
            let engine: PostgresEngine
            do {
                engine = try PostgresEngine(location: location)
            } catch let e as PostgresEngine.Failure {
                throw Failure.cannotOpen(path: location.display, reason: e.message)
            }
            db = Database(postgres: engine)
            try Self.identify(engine, path: location.display, readOnly: readOnly || mustExist)
            if readOnly {
                let v = try engine.schemaVersion()
                if v > PostgresMigrations.latest {
                    throw Failure.newerSchema(path: location.display, found: v, known: PostgresMigrations.latest)
                }
            } else {
                try PostgresMigrations.apply(to: engine)
            }
            return
        }
        self.path = path
        do {
            let sqlite = try SQLite(path: path, readOnly: readOnly)
            db = Database(sqlite: sqlite)
            try Self.identify(sqlite, path: path, readOnly: readOnly)
            if !readOnly {
                try sqlite.exec("PRAGMA journal_mode = WAL")
                try sqlite.exec("PRAGMA synchronous = NORMAL")
            }
            try sqlite.exec("PRAGMA foreign_keys = ON")
        } catch let e as SQLite.Failure {
            if e.isAccess { throw Failure.cannotOpen(path: path, reason: FileAccess.reason(path, e.message, readOnly: readOnly)) }
            throw Failure.notAStore(path: path, reason: e.message)
        }
        if verify {
            // A damaged store is never used silently. The store holds aggregated edges only, so a full check stays
            // cheap. Not quick_check: SQLite 3.40's reports false "NULL value" findings for WITHOUT ROWID tables
            // whose primary key reorders columns (integrity_check does not).
            var findings = try check()
            if findings == ["ok"] {
                let counts = try countFindings()
                if !counts.isEmpty { findings = counts }
            }
            if findings != ["ok"] { throw Failure.corrupt(path: path, findings: findings) }
        }
        if readOnly {
            let v = try db.userVersion
            if v > Migrations.latest { throw Failure.newerSchema(path: path, found: v, known: Migrations.latest) }
        } else {
            try Migrations.apply(to: db.sqlite!)
        }
    }

    /// Refuses a PostgreSQL database that holds another program's tables; accepts FlowMap's and an empty one.
    /// One statement, so one snapshot: asked in two ("is flowmap_migrations there?", then "which tables?"), another
    /// process's first migration committing in between made FlowMap's own tables look like another program's.
    static func identify(_ p: PostgresEngine, path: String, readOnly: Bool) throws {
        let tables = try p.tableNames()
        if tables.contains("flowmap_migrations") { return }
        if tables.isEmpty {
            if readOnly { throw Failure.notAStore(path: path, reason: "an empty database; `flowmap ingest` creates a store") }
            return
        }
        let shown = tables.prefix(3).joined(separator: ", ") + (tables.count > 3 ? ", …" : "")
        throw Failure.notAStore(path: path, reason: "a PostgreSQL database without FlowMap's flowmap_migrations table "
                                + "(tables \(shown)); it was left untouched. Use a database of its own")
    }

    /// True on PostgreSQL (its schema starts bucketed) and on SQLite stores of schema 7 or later.
    var isBucketed: Bool {
        get throws { try db.isPostgres || db.userVersion >= Self.bucketSchema }
    }

    /// The newest schema version this build knows for the store's backend.
    public var latestSchema: Int { db.isPostgres ? PostgresMigrations.latest : Migrations.latest }

    /// "sqlite" or "postgresql".
    public var backend: String { db.isPostgres ? "postgresql" : "sqlite" }

    /// Refuses a file that is another program's; accepts FlowMap's stores (stamped or from before the stamp)
    /// and a new, empty database.
    static func identify(_ db: SQLite, path: String, readOnly: Bool) throws {
        let id = try db.applicationID
        if id == applicationID { return }
        if id != 0 {
            throw Failure.notAStore(path: path, reason: "its application_id is 0x\(String(UInt32(truncatingIfNeeded: id), radix: 16)), "
                                    + "another program's database; it was left untouched")
        }
        let tables = try db.tableNames()
        let version = try db.userVersion
        if tables.isEmpty && version == 0 {
            if readOnly { throw Failure.notAStore(path: path, reason: "an empty database; `flowmap ingest` creates a store") }
            return
        }
        if coreTables.isSubset(of: tables) && !edgeTables.isDisjoint(with: tables) && version > 0 { return }  // an earlier FlowMap's: migration 3 stamps it
        let shown = tables.prefix(3).joined(separator: ", ") + (tables.count > 3 ? ", …" : "")
        throw Failure.notAStore(path: path, reason: "a SQLite database without FlowMap's application_id or tables "
                                + "(\(tables.isEmpty ? "user_version \(version)" : "tables \(shown)")); it was left untouched")
    }

    private func check() throws -> [String] {
        guard !db.isPostgres else { return ["ok"] }
        do {
            let q = try db.prepare("PRAGMA integrity_check(20)")
            var out: [String] = []
            while try q.step() { out.append(q.text(0)) }
            return out
        } catch let e as SQLite.Failure {
            return [e.message]
        }
    }

    /// Count and time columns that do not hold integers. SQLite turns an integer sum past Int64.max into a REAL;
    /// this FlowMap saturates instead, but a store written by an earlier one may hold such values.
    public func countFindings() throws -> [String] {
        guard let sqlite = db.sqlite else { return [] }  // PostgreSQL's BIGINT columns hold integers only
        let columns = [("edges", ["flows", "first_seen", "last_seen"]),
                       ("edge_l7", ["flows", "first_seen", "last_seen"]),
                       ("edge_points", ["flows", "first_seen", "last_seen"]),
                       ("listening_ports", ["flows"]),
                       ("edge_buckets", ["flows", "first_seen", "last_seen"]),
                       ("edge_bucket_points", ["flows", "first_seen", "last_seen"]),
                       ("edge_bucket_l7", ["flows", "first_seen", "last_seen"]),
                       ("sources", ["lines", "accepted", "skipped", "rejected", "replies", "bytes"])]
        let present = Set(try sqlite.tableNames())
        var out: [String] = []
        for (table, cols) in columns where present.contains(table) {
            for c in cols {
                // Table and column names are the constants above, never input.
                let q = try db.prepare("SELECT count(*), min(typeof(\(c))) FROM \(table) WHERE typeof(\(c)) <> 'integer'")
                if try q.step(), q.int(0) > 0 {
                    out.append("\(table).\(c): \(q.int(0)) row(s) hold a \(q.text(1)), not an integer "
                               + "(a count summed past 9223372036854775807 by an earlier FlowMap?)")
                }
            }
        }
        return out
    }

    /// The schema version stored in the file.
    public var schemaVersion: Int { get throws { try db.userVersion } }

    // MARK: Writing

    /// `table.column + excluded.column` in an upsert, stopping at Int64.max: SQLite would turn a larger sum into a
    /// REAL, PostgreSQL would fail. The target column is named with its table (PostgreSQL finds a bare name
    /// ambiguous beside `excluded`).
    static func saturatingSum(_ column: String, table: String) -> String {
        "CASE WHEN excluded.\(column) > 9223372036854775807 - \(table).\(column) THEN 9223372036854775807 "
            + "ELSE \(table).\(column) + excluded.\(column) END"
    }

    /// The smaller of `table.column` and `excluded.column` in an upsert (both NOT NULL), in SQL both backends run.
    static func least(_ column: String, table: String) -> String {
        "CASE WHEN excluded.\(column) < \(table).\(column) THEN excluded.\(column) ELSE \(table).\(column) END"
    }

    /// The larger of `table.column` and `excluded.column` in an upsert (both NOT NULL).
    static func greatest(_ column: String, table: String) -> String {
        "CASE WHEN excluded.\(column) > \(table).\(column) THEN excluded.\(column) ELSE \(table).\(column) END"
    }

    /// Result of writing one ingest unit.
    public enum WriteResult: Sendable, Equatable {
        case written
        /// A file with the same content hash was ingested before; nothing was written.
        case duplicate(previousPath: String)
    }

    /// Writes one batch and its source record in a single transaction. With a content hash, a second write of
    /// the same content is refused as a duplicate, so re-ingesting a file never doubles a count. `legacyHash` is
    /// the hash an earlier FlowMap stored for the same bytes: a source recorded under it is the same file, and
    /// its row is re-stamped with `contentHash` (so the weak hash is consulted once per old row).
    /// `resume` records where a file's read stopped, for a later ingest of it grown (`resumePoints`).
    public func write(_ batch: IngestBatch, counts: IngestCounts, path: String, format: String,
                      contentHash: String?, now: Int64, legacyHash: String? = nil,
                      resume: ResumeRecord? = nil) throws -> WriteResult {
        try writeSource(batch, counts: counts, path: path, format: format, contentHash: contentHash, now: now,
                        legacyHash: legacyHash, resume: resume).result
    }

    /// `write`, also giving the new source's id (nil for a duplicate). With `continuing`, the batch is added to
    /// that source (the next batch of the same stream): its counts add up and no new source row is made.
    public func writeSource(_ batch: IngestBatch, counts: IngestCounts, path: String, format: String,
                            contentHash: String?, now: Int64, legacyHash: String? = nil,
                            continuing: Int64? = nil,
                            resume: ResumeRecord? = nil) throws -> (result: WriteResult, source: Int64?) {
        try db.transaction {
            let width = try bucketWidth
            let evidence = batch.bucketed(width: width)
            // PostgreSQL: one writer at a time per content hash, none beside a lifecycle verb (`lockForWrite`).
            try db.lockForWrite(contentHash: contentHash)
            if let h = contentHash {
                let q = try db.prepare("SELECT path FROM sources WHERE content_hash = ?")
                if try q.bind(.text(h)).step() { return (.duplicate(previousPath: q.text(0)), nil) }
                if let old = legacyHash, old != h, try q.bind(.text(old)).step() {
                    let previous = q.text(0)
                    try db.prepare("UPDATE sources SET content_hash = ? WHERE content_hash = ?")
                        .bind(.text(h), .text(old)).run()
                    return (.duplicate(previousPath: previous), nil)
                }
            }
            let span = evidence.span
            let source: Int64
            if let s = continuing {
                source = s
                try db.prepare("""
                    UPDATE sources SET lines = lines + ?, accepted = accepted + ?, skipped = skipped + ?,
                      rejected = rejected + ?, replies = replies + ?, bytes = bytes + ?,
                      content_hash = coalesce(?, content_hash)
                    WHERE id = ?
                    """).bind(
                        .int(counts.lines), .int(counts.accepted), .int(counts.skipped), .int(counts.rejected),
                        .int(counts.replies), .int(counts.bytes), contentHash.map { .text($0) } ?? .null, .int(s)
                    ).run()
                // The earlier of the two firsts and the later of the two lasts, either of which may be NULL.
                try db.prepare("""
                    UPDATE source_evidence SET
                      first_flow = CASE WHEN CAST(? AS BIGINT) IS NULL OR first_flow <= ? THEN first_flow ELSE ? END,
                      last_flow = CASE WHEN CAST(? AS BIGINT) IS NULL OR last_flow >= ? THEN last_flow ELSE ? END
                    WHERE source_id = ?
                    """).bind(Self.value(span?.first), Self.value(span?.first), Self.value(span?.first),
                              Self.value(span?.last), Self.value(span?.last), Self.value(span?.last), .int(s)).run()
            } else {
                let r = contentHash == nil ? nil : resume
                let q = try db.prepare("""
                    INSERT INTO sources (path, format, content_hash, ingested_at, lines, accepted, skipped, rejected,
                                         replies, bytes)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                    """).bind(
                        .text(path), .text(format), contentHash.map { .text($0) } ?? .null, .int(now),
                        .int(counts.lines), .int(counts.accepted), .int(counts.skipped), .int(counts.rejected),
                        .int(counts.replies), .int(counts.bytes))
                guard try q.step() else { throw db.error(1) }
                source = q.int(0)
                _ = try q.step()
                try db.prepare("INSERT INTO source_evidence (source_id, first_flow, last_flow) VALUES (?, ?, ?)")
                    .bind(.int(source), Self.value(span?.first), Self.value(span?.last)).run()
                if let r {
                    try db.prepare("""
                        INSERT INTO source_resume (source_id, raw_length, resume_offset, reader_state, head_hash)
                        VALUES (?, ?, ?, ?, ?)
                        """).bind(.int(source), .int(r.rawLength), Self.value(r.offset),
                                  r.readerState.map { .text($0) } ?? .null, .text(r.headHash)).run()
                }
            }
            // Every endpoint the batch names, inserted in one order for every writer (`Database.insert`).
            var ids = try endpointIDs(Self.endpoints(of: batch, evidence))
            func id(_ e: Endpoint) throws -> Int64 {
                if let i = ids[e] { return i }
                guard let i = try endpointIDs([e])[e] else { throw db.error(1) }
                ids[e] = i
                return i
            }
            func key(_ b: BucketedEdge) throws -> [Value] {
                [.int(try id(b.edge.source)), .int(try id(b.edge.destination)), .text(b.edge.proto.rawValue),
                 .int(Int64(b.edge.port)), .text(b.edge.outcome.rawValue), .int(b.bucket)]
            }
            // Each source's count per bucket and observation point; the bucket's count is computed from them
            // (last: see `BucketRefresh.runAll`).
            var keys: [[Value]] = [], points: [[Value]] = [], reasons: [[Value]] = []
            for (b, byPoint) in evidence.points {
                let k = try key(b)
                keys.append(k)
                for (point, p) in byPoint {
                    points.append(k + [.text(point), .int(source), .int(p.flows), .int(p.firstSeen), .int(p.lastSeen)])
                }
                for r in evidence.dropReasons[b] ?? [] { reasons.append(k + [.text(r), .int(source)]) }
            }
            try db.insert(Self.upsertBucketPoints, points)
            try db.insert(Self.insertDropReasons, reasons)
            var addresses: [[Value]] = [], services: [[Value]] = []
            for (b, a) in evidence.addresses {
                let k = try key(b)
                for side in 0...1 { for x in a[side] { addresses.append(k + [.int(Int64(side)), .text(x), .int(source)]) } }
                for x in a.services { services.append(k + [.text(x), .int(source)]) }
            }
            try db.insert(Self.insertEdgeAddresses, addresses)
            try db.insert(Self.insertEdgeServices, services)
            var l7: [[Value]] = []
            for (b, byRequest) in evidence.l7 {
                let k = try key(b)
                for (request, s) in byRequest {
                    let (kind, method, p): (String, String, String)
                    switch request {
                    case .http(let m, let path): (kind, method, p) = ("http", m, path)
                    case .dns(let q): (kind, method, p) = ("dns", "", q)
                    }
                    l7.append(k + [.text(kind), .text(method), .text(p), .int(source), .int(s.flows),
                                   .int(s.firstSeen), .int(s.lastSeen)])
                }
            }
            try db.insert(Self.upsertL7Rows, l7)
            for (spec, values) in zip(Self.insertFacts, [batch.labelSets, batch.addresses, batch.names, batch.services]) {
                var rows: [[Value]] = []
                for (e, vs) in values {
                    let i = try id(e)
                    for v in vs { rows.append([.int(i), .text(v), .int(source)]) }
                }
                try db.insert(spec, rows)
            }
            // Observed when the batch's last flow was (an inventory, without flows: when it was ingested).
            let observed = span?.last ?? now
            try db.insert(Self.upsertNamespaces, batch.namespaceLabels.sorted(by: { $0.key < $1.key }).map {
                [.text($0.key), .text($0.value.canonical), .int(observed)]
            })
            try db.insert(Self.upsertListeningPorts, try batch.listening.sorted(by: { $0.key < $1.key }).map {
                [.int(try id($0.key.endpoint)), .text($0.key.proto.rawValue), .int(Int64($0.key.port)), .int($0.value)]
            })
            try writeSeen(batch)
            try writeUnmapped(batch, source: source, key: key)
            try BucketRefresh(db).runAll(keys)
            try faultAfterEdges?()
            return (.written, source)
        }
    }

    static func value(_ v: Int64?) -> Value { v.map { .int($0) } ?? .null }

    /// Every endpoint a batch refers to.
    static func endpoints(of batch: IngestBatch, _ evidence: BucketedEvidence) -> Set<Endpoint> {
        var out = Set<Endpoint>()
        func add(_ e: EdgeKey) {
            out.insert(e.source)
            out.insert(e.destination)
        }
        for b in evidence.points.keys { add(b.edge) }
        for b in evidence.l7.keys { add(b.edge) }
        for u in batch.unmapped { add(u.edge.edge) }
        for facts in [batch.labelSets, batch.addresses, batch.names, batch.services] { out.formUnion(facts.keys) }
        for l in batch.listening.keys { out.insert(l.endpoint) }
        return out
    }

    /// A namespace's labels as observed at a time (nanoseconds). They replace the stored ones only when newer,
    /// ties broken by the larger canonical text: the labels a store ends with do not depend on the order writes
    /// commit in (concurrent PostgreSQL ingesters, merged stores), only on what was observed when.
    static let upsertNamespaces = BulkInsert(
        table: "namespaces", columns: ["name", "labels", "observed"], keyColumns: 1,
        conflict: """
            ON CONFLICT (name) DO UPDATE SET labels = excluded.labels, observed = excluded.observed
            WHERE excluded.observed > namespaces.observed
               OR (excluded.observed = namespaces.observed AND excluded.labels > namespaces.labels)
            """)
    static let upsertNamespace = upsertNamespaces.sql

    /// One source's count of an L7 request on an (edge, bucket), added to what the source has there.
    static let upsertL7Rows = BulkInsert.counting(
        table: "edge_bucket_l7",
        columns: ["src", "dst", "proto", "port", "outcome", "bucket", "kind", "method", "path", "source_id",
                  "flows", "first_seen", "last_seen"],
        keys: 10, sum: ["flows"], min: ["first_seen"], max: ["last_seen"])
    static let upsertL7 = upsertL7Rows.sql

    /// A listening port's reply count, added to what the store has (kept per store, not per source).
    static let upsertListeningPorts = BulkInsert.counting(
        table: "listening_ports", columns: ["endpoint_id", "proto", "port", "flows"], keys: 3, sum: ["flows"])
    static let upsertListening = upsertListeningPorts.sql

    /// Adds to one source's count of an edge in a bucket at an observation point (the truth `edge_buckets` is
    /// computed from): key, point, source, count, first and last seen.
    static let upsertBucketPoints = BulkInsert.counting(
        table: "edge_bucket_points",
        columns: ["src", "dst", "proto", "port", "outcome", "bucket", "point", "source_id", "flows", "first_seen",
                  "last_seen"],
        keys: 8, sum: ["flows"], min: ["first_seen"], max: ["last_seen"])
    static let upsertBucketPoint = upsertBucketPoints.sql

    /// A drop reason of an (edge, bucket), per source.
    static let insertDropReasons = BulkInsert(
        table: "edge_bucket_drop_reasons",
        columns: ["src", "dst", "proto", "port", "outcome", "bucket", "reason", "source_id"], keyColumns: 8,
        conflict: "ON CONFLICT DO NOTHING")

    /// A node end's address on an (edge, bucket), per source (`EdgeAddresses`, schema 13): key, side, address,
    /// source.
    static let insertEdgeAddresses = BulkInsert(
        table: "edge_bucket_addresses",
        columns: ["src", "dst", "proto", "port", "outcome", "bucket", "side", "address", "source_id"], keyColumns: 9,
        conflict: "ON CONFLICT DO NOTHING")

    /// A Service a connection's flows were addressed to, on an (edge, bucket), per source (`EdgeAddresses.services`,
    /// schema 14): key, service, source.
    static let insertEdgeServices = BulkInsert(
        table: "edge_bucket_services",
        columns: ["src", "dst", "proto", "port", "outcome", "bucket", "service", "source_id"], keyColumns: 8,
        conflict: "ON CONFLICT DO NOTHING")

    /// Facts per endpoint and source: label sets, pod addresses, DNS names, Services (in that order).
    static let insertFacts = [("source_label_sets", "labels"), ("source_addresses", "address"),
                              ("source_names", "name"), ("source_services", "service")].map {
        BulkInsert(table: $0.0, columns: ["endpoint_id", $0.1, "source_id"], keyColumns: 3,
                   conflict: "ON CONFLICT DO NOTHING")
    }

    /// A new endpoint (its key columns); an existing one is left as it is.
    static let insertEndpoints = BulkInsert(
        table: "endpoints", columns: ["kind", "namespace", "name", "workload_kind", "cluster"], keyColumns: 5,
        conflict: "ON CONFLICT DO NOTHING")

    /// The ids of `endpoints`, inserting those the store does not know yet (`insertEndpoints`). On PostgreSQL in
    /// two statements whatever their number; an endpoint another writer is inserting is waited for (until that
    /// writer commits or rolls back), in one order for every writer.
    func endpointIDs<S: Sequence>(_ endpoints: S) throws -> [Endpoint: Int64] where S.Element == Endpoint {
        let list = Array(endpoints)
        guard !list.isEmpty else { return [:] }
        let rows = list.map(Self.endpointValues)
        try db.insert(Self.insertEndpoints, rows)
        var out = [Endpoint: Int64](minimumCapacity: list.count)
        if case .postgres(let p) = db.backend {
            for r in try p.query("""
                SELECT k.i, e.id FROM unnest(CAST($1 AS text[]), CAST($2 AS text[]), CAST($3 AS text[]),
                                             CAST($4 AS text[]), CAST($5 AS text[]))
                  WITH ORDINALITY AS k (kind, namespace, name, workload_kind, cluster, i)
                JOIN endpoints e ON e.kind = k.kind AND e.namespace = k.namespace AND e.name = k.name
                  AND e.workload_kind = k.workload_kind AND e.cluster = k.cluster
                """, arrays: rows, columns: Self.insertEndpoints.columns) {
                guard case .int(let i) = r[0], case .int(let id) = r[1] else { throw db.error(1) }
                out[list[Int(i) - 1]] = id
            }
        } else {
            let select = try db.prepare(
                "SELECT id FROM endpoints WHERE kind = ? AND namespace = ? AND name = ? AND workload_kind = ? "
                    + "AND cluster = ?")
            for (e, vals) in zip(list, rows) {
                guard try select.bind(vals).step() else { throw db.error(1) }
                out[e] = select.int(0)
            }
        }
        return out
    }

    // MARK: Reading

    /// Endpoints by id, as every read sees them: a label identity (a Hubble endpoint without pod name) that
    /// stands for exactly one known workload of its namespace (`LabelIdentities.resolved`) reads as that
    /// workload, so its edges, addresses and listening ports join the workload's and no verb counts it as a
    /// workload of its own. Reversible: the rows keep their own endpoint, and the mapping follows what is known.
    func endpointMap() throws -> [Int64: Endpoint] {
        var out = try rawEndpointMap()
        let mapped = try labelIdentities(out)
        if !mapped.isEmpty {
            for (id, e) in out { if let w = mapped[e] { out[id] = w } }
        }
        return out
    }

    private func rawEndpointMap() throws -> [Int64: Endpoint] {
        let q = try db.prepare("SELECT id, kind, namespace, name, workload_kind, \(try clusterColumn) FROM endpoints")
        var out = [Int64: Endpoint]()
        while try q.step() {
            guard let kind = EndpointKind(rawValue: q.text(1)) else { continue }
            out[q.int(0)] = Endpoint(kind: kind, namespace: q.text(2), name: q.text(3), workloadKind: q.text(4),
                                     cluster: q.text(5))
        }
        return out
    }

    /// `endpoints.cluster`, or '' in a store older than schema 10 opened read-only (not migrated).
    /// (PostgreSQL has it from its schema 2, the twin of SQLite's 10.)
    var clusterColumn: String { get throws { try schemaVersion >= (db.isPostgres ? 2 : 10) ? "cluster" : "''" } }

    /// Bound values of an endpoint's key columns (kind, namespace, name, workload_kind, cluster).
    static func endpointValues(_ e: Endpoint) -> [Value] {
        [.text(e.kind.rawValue), .text(e.namespace), .text(e.name), .text(e.workloadKind), .text(e.cluster)]
    }

    /// The label identities that read as a workload (see `endpointMap`).
    private func labelIdentities(_ raw: [Int64: Endpoint]) throws -> [Endpoint: Endpoint] {
        guard raw.values.contains(where: { $0.workloadKind == Endpoint.labelIdentityKind }) else { return [:] }
        return LabelIdentities.resolved(try rawLabelSets(raw))
    }

    private func rawLabelSets(_ eps: [Int64: Endpoint]) throws -> [Endpoint: [Labels]] {
        let q = try db.prepare("SELECT DISTINCT endpoint_id, labels FROM source_label_sets ORDER BY labels")
        var out = [Endpoint: [Labels]]()
        while try q.step() {
            guard let e = eps[q.int(0)] else { continue }
            out[e, default: []].append(Labels.fromCanonical(q.text(1)))
        }
        return out
    }

    /// Every aggregated edge, sorted by key.
    /// An edge's count from its per observation point counts: points whose first..last-seen windows overlap saw
    /// the same connections (a capture per node, each point of one connection) and count as their busiest;
    /// windows apart are different connections and add up (saturating).
    static func pointCount(_ points: [EdgeStats]) -> Int64 {
        var total: Int64 = 0
        var clusterMax: Int64 = -1, clusterEnd = Int64.min  // the current group of overlapping windows
        for p in points.sorted(by: { ($0.firstSeen, $0.lastSeen) < ($1.firstSeen, $1.lastSeen) }) {
            if clusterMax >= 0 && p.firstSeen > clusterEnd {
                total = Counts.saturatingAdd(total, clusterMax)
                clusterMax = -1
                clusterEnd = .min
            }
            clusterMax = max(clusterMax, p.flows)
            clusterEnd = max(clusterEnd, p.lastSeen)
        }
        return Counts.saturatingAdd(total, max(clusterMax, 0))
    }

    /// The rows of one edge read under one key (a label identity's joined its workload's): they may be the same
    /// connections seen at another hop, so their counts combine as observation points do (`pointCount`).
    static func joined(_ rows: [EdgeStats]) -> EdgeStats {
        guard rows.count > 1 else { return rows[0] }
        var s = EdgeStats(flows: pointCount(rows))
        for r in rows {
            s.firstSeen = min(s.firstSeen, r.firstSeen)
            s.lastSeen = max(s.lastSeen, r.lastSeen)
            s.dropReasons.formUnion(r.dropReasons)
        }
        return s
    }

    /// Runs `body`'s reads against one committed state of the store. A verb reading its evidence in several
    /// queries (edges, labels, inventory) while an ingest commits would otherwise mix two states, e.g. no edges
    /// yet in the first query and some in the next.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        try db.snapshot(body)
    }

    /// Every edge over the buckets `window` selects (whole buckets: see `TimeWindow`), sorted by key: counts
    /// summed over the buckets (saturating), first/last seen their min/max, drop reasons their union.
    public func edges(window: TimeWindow? = nil) throws -> [ObservedEdge] {
        if try !isBucketed { return try legacyEdges() }
        let eps = try endpointMap()
        let range = (window ?? self.window).bucketRange(width: try bucketWidth)
        var reasons = [EdgeRow: Set<String>]()
        let r = try db.prepare("""
            SELECT DISTINCT src, dst, proto, port, outcome, reason FROM edge_bucket_drop_reasons
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        while try r.step() {
            reasons[EdgeRow(r), default: []].insert(r.text(5))
        }
        let q = try db.prepare("""
            SELECT src, dst, proto, port, outcome, flows, first_seen, last_seen FROM edge_buckets
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        var byRow = [EdgeRow: EdgeStats]()
        while try q.step() {
            byRow[EdgeRow(q), default: EdgeStats()].merge(EdgeStats(flows: q.int(5), firstSeen: q.int(6),
                                                                    lastSeen: q.int(7)))
        }
        var rows: [(key: EdgeKey, stats: EdgeStats)] = []
        rows.reserveCapacity(byRow.count)
        for (row, var stats) in byRow {
            guard let key = row.key(eps) else { continue }
            stats.dropReasons = reasons[row] ?? []
            rows.append((key, stats))
        }
        return Self.joinedInKeyOrder(rows)
    }

    /// `rows` sorted by key (`EdgeKey.<`), the rows of one key joined (`joined`: the ids of a label identity and
    /// its workload read as one key). Sorted on integers: each distinct endpoint's rank among the endpoints of
    /// `rows`, then the ranks of protocol, port and outcome, which order as the keys do; the strings of an
    /// endpoint are compared only while ranking the distinct endpoints, not in every comparison of the sort.
    static func joinedInKeyOrder(_ rows: [(key: EdgeKey, stats: EdgeStats)]) -> [ObservedEdge] {
        var rank = [Endpoint: UInt32]()
        for r in rows {
            rank[r.key.source] = 0
            rank[r.key.destination] = 0
        }
        for (i, e) in rank.keys.sorted().enumerated() { rank[e] = UInt32(i) }
        let protoRank = Dictionary(uniqueKeysWithValues: Proto.allCases.sorted().enumerated().map { ($1, UInt64($0)) })
        let outcomeRank = Dictionary(uniqueKeysWithValues: Outcome.allCases.sorted().enumerated().map { ($1, UInt64($0)) })
        // (source rank << 32 | destination rank, protocol rank << 24 | port << 8 | outcome rank, row index).
        var order: [(ends: UInt64, rest: UInt64, row: Int)] = []
        order.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated() {
            let ends = UInt64(rank[r.key.source]!) << 32 | UInt64(rank[r.key.destination]!)
            let rest = protoRank[r.key.proto]! << 24 | UInt64(r.key.port) << 8 | outcomeRank[r.key.outcome]!
            order.append((ends, rest, i))
        }
        order.sort { ($0.ends, $0.rest) < ($1.ends, $1.rest) }
        var out: [ObservedEdge] = []
        out.reserveCapacity(order.count)
        var i = 0
        while i < order.count {
            var j = i + 1
            while j < order.count && order[j].ends == order[i].ends && order[j].rest == order[i].rest { j += 1 }
            let key = rows[order[i].row].key
            let stats = j == i + 1 ? rows[order[i].row].stats : Self.joined(order[i..<j].map { rows[$0.row].stats })
            out.append(ObservedEdge(key: key, stats: stats))
            i = j
        }
        return out
    }

    /// The first schema with buckets. A store opened read-only (`doctor`) may be older: not migrated.
    static let bucketSchema = 7

    /// Edges of an unmigrated store (schema < 7, opened read-only), one row per edge.
    private func legacyEdges() throws -> [ObservedEdge] {
        let eps = try endpointMap()
        let q = try db.prepare("SELECT src, dst, proto, port, outcome, flows, first_seen, last_seen FROM edges")
        var out: [ObservedEdge] = []
        while try q.step() {
            guard let key = EdgeRow(q).key(eps) else { continue }
            out.append(ObservedEdge(key: key, stats: EdgeStats(flows: q.int(5), firstSeen: q.int(6), lastSeen: q.int(7))))
        }
        return out.sorted { $0.key < $1.key }
    }

    /// L7 requests per edge over the buckets `window` selects (counts summed over buckets and sources).
    public func l7(window: TimeWindow? = nil) throws -> [EdgeKey: [L7Observation]] {
        let eps = try endpointMap()
        let range = (window ?? self.window).bucketRange(width: try bucketWidth)
        let q = try db.prepare("""
            SELECT src, dst, proto, port, outcome, kind, method, path, flows, first_seen, last_seen FROM edge_bucket_l7
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        var byRow = [EdgeRow: [L7Request: EdgeStats]]()
        while try q.step() {
            let row = EdgeRow(q)
            let req: L7Request = q.text(5) == "http" ? .http(method: q.text(6), path: q.text(7)) : .dns(query: q.text(7))
            byRow[row, default: [:]][req, default: EdgeStats()].merge(
                EdgeStats(flows: q.int(8), firstSeen: q.int(9), lastSeen: q.int(10)))
        }
        // Buckets and sources of one row add up; rows joined under one key (a label identity's and its
        // workload's) combine as observation points do (`joined`).
        var byKey = [EdgeKey: [L7Request: [EdgeStats]]]()
        for (row, byRequest) in byRow {
            guard let key = row.key(eps) else { continue }
            for (req, st) in byRequest { byKey[key, default: [:]][req, default: []].append(st) }
        }
        return byKey.mapValues { byRequest in
            byRequest.map { L7Observation(request: $0.key, stats: Self.joined($0.value)) }.sorted { $0.request < $1.request }
        }
    }

    /// Ports seen listening across every ingest, with the flows that showed each (schema 6).
    public func listeningPorts() throws -> [ListeningPort: Int64] {
        let eps = try endpointMap()
        let q = try db.prepare("SELECT endpoint_id, proto, port, flows FROM listening_ports")
        var out = [ListeningPort: Int64]()
        while try q.step() {
            guard let e = eps[q.int(0)], let p = Proto(rawValue: q.text(1)), let port = UInt16(exactly: q.int(2)) else { continue }
            let l = ListeningPort(endpoint: e, proto: p, port: port)
            out[l] = Counts.saturatingAdd(out[l, default: 0], q.int(3))
        }
        return out
    }

    /// Distinct stable label sets per workload.
    /// A label identity read as a workload adds none: its labels are a part of the workload's.
    public func labelSets() throws -> [Endpoint: [Labels]] {
        let raw = try rawEndpointMap()
        var out = try rawLabelSets(raw)
        for e in LabelIdentities.resolved(out).keys { out[e] = nil }
        return out
    }

    /// The first schema with per-connection node addresses (`edge_bucket_addresses`), per backend.
    var edgeAddressSchema: Int { db.isPostgres ? 5 : 13 }
    /// The first schema with per-connection Services (`edge_bucket_services`), per backend.
    var edgeServiceSchema: Int { db.isPostgres ? 6 : 14 }

    /// The node ends' addresses and the Services of every edge over the buckets `window` selects
    /// (`ConnectionAddresses`): the union over buckets and sources; an edge with evidence from a source ingested
    /// before schema 13 has `unknown` addresses, before schema 14 `servicesUnknown`. A store older than that
    /// (opened read-only) knows none: every edge is unknown.
    public func connectionAddresses(window: TimeWindow? = nil) throws -> ConnectionAddresses {
        let version = try schemaVersion
        guard version >= edgeAddressSchema else {
            let all = Set(try edges(window: window).map(\.key))
            return ConnectionAddresses(unknown: all, servicesUnknown: all)
        }
        let eps = try endpointMap()
        var out = try connectionAddresses13(window: window, eps: eps)
        let range = (window ?? self.window).bucketRange(width: try bucketWidth)
        guard version >= edgeServiceSchema else {
            out.servicesUnknown = Set(try edges(window: window).map(\.key))
            return out
        }
        let q = try db.prepare("""
            SELECT DISTINCT src, dst, proto, port, outcome, service FROM edge_bucket_services
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        while try q.step() {
            guard let key = EdgeRow(q).key(eps) else { continue }
            out.byEdge[key, default: EdgeAddresses()].services.insert(q.text(5))
        }
        let u = try db.prepare("""
            SELECT DISTINCT p.src, p.dst, p.proto, p.port, p.outcome FROM edge_bucket_points p
            JOIN sources_before_edge_services b ON b.source_id = p.source_id
            WHERE p.bucket >= ? AND p.bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        while try u.step() {
            if let key = EdgeRow(u).key(eps) { out.servicesUnknown.insert(key) }
        }
        return out
    }

    /// The node addresses part of `connectionAddresses` (schema 13 and later).
    private func connectionAddresses13(window: TimeWindow?, eps: [Int64: Endpoint]) throws -> ConnectionAddresses {
        let range = (window ?? self.window).bucketRange(width: try bucketWidth)
        var out = ConnectionAddresses()
        let q = try db.prepare("""
            SELECT DISTINCT src, dst, proto, port, outcome, side, address FROM edge_bucket_addresses
            WHERE bucket >= ? AND bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        while try q.step() {
            guard let key = EdgeRow(q).key(eps) else { continue }
            out.byEdge[key, default: EdgeAddresses()][Int(q.int(5))].insert(q.text(6))
        }
        let u = try db.prepare("""
            SELECT DISTINCT p.src, p.dst, p.proto, p.port, p.outcome FROM edge_bucket_points p
            JOIN sources_before_edge_addresses b ON b.source_id = p.source_id
            WHERE p.bucket >= ? AND p.bucket <= ?
            """).bind(.int(range.lowerBound), .int(range.upperBound))
        while try u.step() {
            if let key = EdgeRow(u).key(eps) { out.unknown.insert(key) }
        }
        return out
    }

    /// Pod IPs per workload.
    public func addresses() throws -> [Endpoint: [String]] {
        try perEndpoint("SELECT DISTINCT endpoint_id, address FROM source_addresses ORDER BY address")
    }

    /// DNS names per external endpoint.
    public func names() throws -> [Endpoint: [String]] {
        try perEndpoint("SELECT DISTINCT endpoint_id, name FROM source_names ORDER BY name")
    }

    private func perEndpoint(_ sql: String) throws -> [Endpoint: [String]] {
        let eps = try endpointMap()
        let q = try db.prepare(sql)
        var out = [Endpoint: [String]]()
        while try q.step() {
            guard let e = eps[q.int(0)] else { continue }
            out[e, default: []].append(q.text(1))
        }
        // Rows of a label identity joined a workload's: sorted and distinct again.
        for (e, v) in out where Set(v).count != v.count || v != v.sorted() { out[e] = Array(Set(v)).sorted() }
        return out
    }

    /// Namespace labels by namespace.
    public func namespaceLabels() throws -> [String: Labels] {
        let q = try db.prepare("SELECT name, labels FROM namespaces")
        var out = [String: Labels]()
        while try q.step() { out[q.text(0)] = Labels.fromCanonical(q.text(1)) }
        return out
    }

    /// Every endpoint known to the store.
    public func endpoints() throws -> [Endpoint] {
        Set(try endpointMap().values).sorted()
    }

    /// Earlier file reads, of `format`, that a file of `size` bytes whose head hash is `head` may begin with:
    /// those at least `ResumeRecord.headBytes` long with the same head, and every shorter one (the reader hashes
    /// the file's first bytes to tell which, if any, it really begins with).
    public func resumePoints(format: String, size: Int64, head: String) throws -> [ResumePoint] {
        let q = try db.prepare("""
            SELECT s.path, r.raw_length, s.content_hash, r.resume_offset, r.reader_state
            FROM source_resume r JOIN sources s ON s.id = r.source_id
            WHERE s.format = ? AND s.content_hash IS NOT NULL AND r.resume_offset IS NOT NULL AND r.raw_length <= ?
              AND (r.raw_length < ? OR r.head_hash = ?)
            ORDER BY r.raw_length, s.id
            """).bind(.text(format), .int(size), .int(ResumeRecord.headBytes), .text(head))
        var out: [ResumePoint] = []
        while try q.step() {
            out.append(ResumePoint(path: q.text(0), rawLength: q.int(1), contentHash: q.text(2), offset: q.int(3),
                                   readerState: q.isNull(4) ? nil : q.text(4)))
        }
        return out
    }

    /// True when a source is recorded under a content hash an earlier FlowMap wrote (not `sha256:`): only then
    /// is an input's legacy hash worth computing (`IngestDriver.legacyHash`; `write` re-stamps such a row when
    /// its file is read again).
    public func hasLegacyContentHashes() throws -> Bool {
        try db.prepare("SELECT 1 FROM sources WHERE content_hash IS NOT NULL AND content_hash NOT LIKE 'sha256:%' LIMIT 1")
            .step()
    }

    /// The ingested sources, oldest first.
    public func sources() throws -> [SourceRecord] {
        let bucketed = try isBucketed
        let q = try db.prepare("""
            SELECT s.path, s.format, s.content_hash, s.ingested_at, s.lines, s.accepted, s.skipped, s.rejected,
                   s.replies, s.bytes, s.id,
                   \(bucketed ? "e.first_flow, e.last_flow, e.source_id IS NOT NULL" : "NULL, NULL, 0")
            FROM sources s \(bucketed ? "LEFT JOIN source_evidence e ON e.source_id = s.id" : "") ORDER BY s.id
            """)
        var out: [SourceRecord] = []
        while try q.step() {
            var c = IngestCounts()
            c.lines = q.int(4)
            c.accepted = q.int(5)
            c.skipped = q.int(6)
            c.rejected = q.int(7)
            c.replies = q.int(8)
            c.bytes = q.int(9)
            out.append(SourceRecord(id: q.int(10), path: q.text(0), format: q.text(1),
                                    contentHash: q.isNull(2) ? nil : q.text(2), ingestedAt: q.int(3), counts: c,
                                    firstFlow: q.isNull(11) ? nil : q.int(11), lastFlow: q.isNull(12) ? nil : q.int(12),
                                    attributed: q.int(13) != 0))
        }
        return out
    }

    /// `PRAGMA integrity_check`: "ok" or the problems SQLite found.
    public func integrityCheck() throws -> [String] {
        guard !db.isPostgres else { return ["ok"] }  // PostgreSQL keeps its own pages consistent
        let q = try db.prepare("PRAGMA integrity_check")
        var out: [String] = []
        while try q.step() { out.append(q.text(0)) }
        return out
    }
}

/// Raw key columns of an edge row (the first five columns of a query).
struct EdgeRow: Hashable {
    var src: Int64, dst: Int64, proto: String, port: Int64, outcome: String

    init(_ q: Statement) {
        src = q.int(0)
        dst = q.int(1)
        proto = q.text(2)
        port = q.int(3)
        outcome = q.text(4)
    }

    func key(_ eps: [Int64: Endpoint]) -> EdgeKey? {
        guard let s = eps[src], let d = eps[dst], let p = Proto(rawValue: proto), let o = Outcome(rawValue: outcome),
              let port = UInt16(exactly: port)
        else { return nil }
        return EdgeKey(source: s, destination: d, proto: p, port: port, outcome: o)
    }
}
