import FlowModel

/// `flowmap merge` (issue 18): folding per-node stores into one, exactly and idempotently. Two halves, so that
/// another backend can be a target: `mergeContents()` reads everything a (read-only) SQLite store holds, per
/// source and in backend-neutral terms (endpoints as values, not row ids); `absorb(_:)` is the whole of what a
/// target must implement: one transaction adding each source it does not hold yet, as its own source.
///
/// What carries per source (so that `forget`, `prune`, `sources`, `export`, `generate` and `check` on the
/// merged store equal those on one store that ingested every input): the source row (path, format, content
/// hash, ingest time, counts), its first/last flow, its resume point, its per-bucket per-point counts, drop
/// reasons, L7 requests, label sets, addresses, DNS names, Services and unmapped (IP-only) flows. What a store
/// keeps for all its sources together (namespace labels, listening ports, remembered flow events, the
/// inventory) is applied when the input adds a source; see `absorb` for the cases that cannot be split.
extension FlowStore {
    /// An input that cannot be merged (not up to date, unattributed evidence, a row this FlowMap cannot read).
    public struct MergeFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Bucket widths that cannot be merged exactly: an input's buckets must floor into the target's (a whole
    /// multiple of the input's width); a bucket is never split.
    public struct BucketWidthMismatch: Error, CustomStringConvertible {
        public var input: String
        public var inputWidth: Int64
        public var target: String
        public var targetWidth: Int64
        public init(input: String, inputWidth: Int64, target: String, targetWidth: Int64) {
            self.input = input
            self.inputWidth = inputWidth
            self.target = target
            self.targetWidth = targetWidth
        }
        public var description: String {
            "\(input): its buckets are \(RelativeTime.format(duration: inputWidth)) wide and the target \(target) "
                + "keeps \(RelativeTime.format(duration: targetWidth)) buckets: a merge can fold buckets only into "
                + "wider ones whose width is a whole multiple of theirs (a bucket is never split). Nothing was "
                + "merged; merge into a new --db (it takes the widest input width when every other divides it)"
        }
    }

    /// True when buckets `input` wide fold exactly into buckets `target` wide.
    public static func foldsExactly(width input: Int64, into target: Int64) -> Bool {
        input > 0 && target > 0 && target % input == 0
    }

    /// What one source of a store contributed, as that store holds it.
    public struct SourceContribution: Sendable {
        /// The source as the input lists it (`id` is the input's).
        public var record: SourceRecord
        /// Where its file read stopped (files only).
        public var resume: ResumeRecord?
        public var points: [BucketedEdge: [String: EdgeStats]] = [:]
        public var dropReasons: [BucketedEdge: Set<String>] = [:]
        public var l7: [BucketedEdge: [L7Request: EdgeStats]] = [:]
        /// The node ends' addresses per edge and bucket (schema 13).
        public var edgeAddresses: [BucketedEdge: EdgeAddresses] = [:]
        /// Ingested before schema 13: its connections' node addresses are unknown (`sources_before_edge_addresses`).
        public var addressesUnknown = false
        /// Ingested before schema 14: its connections' Services are unknown (`sources_before_edge_services`).
        public var servicesUnknown = false
        public var labelSets: [Endpoint: Set<String>] = [:]
        public var addresses: [Endpoint: Set<String>] = [:]
        public var names: [Endpoint: Set<String>] = [:]
        public var services: [Endpoint: Set<String>] = [:]
        public var unmapped: [UnmappedFlow] = []

        public init(record: SourceRecord) { self.record = record }
    }

    /// Everything a store holds, for `absorb`.
    public struct StoreContents: Sendable {
        public var path: String
        public var bucketWidth: Int64
        /// Oldest first (the order they were ingested in).
        public var sources: [SourceContribution] = []
        /// Namespace labels as last reported (canonical `k=v,k=v`), and when they were observed.
        public var namespaceLabels: [String: String] = [:]
        public var namespaceObserved: [String: Int64] = [:]
        public var listening: [ListeningPort: Int64] = [:]
        public var seenFlows: [SeenFlow] = []
        /// Pods, Services, nodes, node labels, controllers and routes (`namespaces` left empty: see `namespaceLabels`).
        public var inventory = Inventory()

        public init(path: String, bucketWidth: Int64) {
            self.path = path
            self.bucketWidth = bucketWidth
        }
    }

    /// The tables of the current schema, as `mergeContents` and `absorb` treat them. A migration adding a table
    /// must add it here (and carry it): a test fails while a table of a new store is in none of these.
    static let mergeTables: (perSource: Set<String>, shared: Set<String>, derived: Set<String>, emptied: Set<String>) = (
        perSource: ["sources", "source_evidence", "source_resume", "edge_bucket_points", "edge_bucket_drop_reasons",
                    "edge_bucket_l7", "edge_bucket_addresses", "sources_before_edge_addresses", "edge_bucket_services",
                    "sources_before_edge_services", "source_label_sets",
                    "source_addresses", "source_names", "source_services", "unmapped_flows"],
        shared: ["endpoints", "namespaces", "listening_ports", "seen_flows", "store_meta", "inventory_pods",
                 "inventory_pod_ips", "inventory_container_ports", "inventory_services", "inventory_service_ips",
                 "inventory_service_ports", "inventory_service_backends", "inventory_nodes", "inventory_controllers",
                 "inventory_node_labels", "inventory_routes"],
        // Computed from edge_bucket_points on every write.
        derived: ["edge_buckets"],
        // Emptied by schema 7 (their rows moved to the per-source tables).
        emptied: ["edges", "edge_points", "edge_drop_reasons", "edge_l7", "label_sets", "endpoint_addresses",
                  "endpoint_names", "endpoint_services"])

    // MARK: Reading an input

    /// Everything this store holds, per source, read in one read transaction (a consistent snapshot while a
    /// node's ingest may be writing). Refuses a store this FlowMap would migrate (open it once with this
    /// FlowMap first) and one holding evidence from before per-source counts (schema 7), which no merge can
    /// attribute.
    public func mergeContents() throws -> StoreContents {
        let version = try db.userVersion
        guard version == Migrations.latest else {
            throw MergeFailure(description: "\(path): schema \(version), written by an earlier FlowMap (this one "
                + "writes schema \(Migrations.latest)); run `flowmap sources --db \(path)` once to migrate it, then merge")
        }
        try db.exec("BEGIN")
        defer { try? db.exec("COMMIT") }
        var out = StoreContents(path: path, bucketWidth: try bucketWidth)
        var eps = [Int64: Endpoint]()
        let e = try db.prepare("SELECT id, kind, namespace, name, workload_kind, cluster FROM endpoints")
        while try e.step() {
            guard let kind = EndpointKind(rawValue: e.text(1)) else {
                throw unreadable("endpoints", "endpoint \(e.int(0)) has kind '\(e.text(1))'")
            }
            eps[e.int(0)] = Endpoint(kind: kind, namespace: e.text(2), name: e.text(3), workloadKind: e.text(4),
                                     cluster: e.text(5))
        }
        func endpoint(_ id: Int64, _ table: String) throws -> Endpoint {
            guard let x = eps[id] else { throw unreadable(table, "a row names endpoint \(id), which endpoints lacks") }
            return x
        }
        func edge(_ q: Statement, _ table: String) throws -> BucketedEdge {
            guard let p = Proto(rawValue: q.text(2)) else { throw unreadable(table, "protocol '\(q.text(2))'") }
            guard let o = Outcome(rawValue: q.text(4)) else { throw unreadable(table, "outcome '\(q.text(4))'") }
            guard let port = UInt16(exactly: q.int(3)) else { throw unreadable(table, "port \(q.int(3))") }
            return BucketedEdge(edge: EdgeKey(source: try endpoint(q.int(0), table), destination: try endpoint(q.int(1), table),
                                              proto: p, port: port, outcome: o),
                                bucket: q.int(5))
        }

        let records = try sources()
        if let old = records.first(where: { !$0.attributed }) {
            throw MergeFailure(description: "\(path): source \(old.id) (\(old.path)) was ingested before per-source "
                + "counts (schema 7): its counts are merged with the others' and cannot be carried exactly; "
                + "re-ingest that store's inputs into a new store and merge that")
        }
        var index = [Int64: Int]()
        for r in records {
            index[r.id] = out.sources.count
            out.sources.append(SourceContribution(record: r))
        }
        func source(_ id: Int64, _ table: String) throws -> Int {
            guard let i = index[id] else {
                throw MergeFailure(description: "\(path): \(table) holds rows of source \(id), which `flowmap sources` "
                    + "does not list (evidence from before per-source counts, schema 7, when 0): they cannot be "
                    + "carried exactly; re-ingest that store's inputs into a new store and merge that")
            }
            return i
        }

        let r = try db.prepare("SELECT source_id, raw_length, resume_offset, reader_state, head_hash FROM source_resume")
        while try r.step() {
            out.sources[try source(r.int(0), "source_resume")].resume = ResumeRecord(
                rawLength: r.int(1), offset: r.isNull(2) ? nil : r.int(2), readerState: r.isNull(3) ? nil : r.text(3),
                headHash: r.text(4), resumedFrom: nil)
        }
        let p = try db.prepare("""
            SELECT src, dst, proto, port, outcome, bucket, point, source_id, flows, first_seen, last_seen
            FROM edge_bucket_points
            """)
        while try p.step() {
            let i = try source(p.int(7), "edge_bucket_points")
            out.sources[i].points[try edge(p, "edge_bucket_points"), default: [:]][p.text(6)] =
                EdgeStats(flows: p.int(8), firstSeen: p.int(9), lastSeen: p.int(10))
        }
        let d = try db.prepare(
            "SELECT src, dst, proto, port, outcome, bucket, reason, source_id FROM edge_bucket_drop_reasons")
        while try d.step() {
            out.sources[try source(d.int(7), "edge_bucket_drop_reasons")]
                .dropReasons[try edge(d, "edge_bucket_drop_reasons"), default: []].insert(d.text(6))
        }
        let l = try db.prepare("""
            SELECT src, dst, proto, port, outcome, bucket, kind, method, path, source_id, flows, first_seen, last_seen
            FROM edge_bucket_l7
            """)
        while try l.step() {
            let request: L7Request
            switch l.text(6) {
            case "http": request = .http(method: l.text(7), path: l.text(8))
            case "dns": request = .dns(query: l.text(8))
            default: throw unreadable("edge_bucket_l7", "kind '\(l.text(6))'")
            }
            out.sources[try source(l.int(9), "edge_bucket_l7")].l7[try edge(l, "edge_bucket_l7"), default: [:]][request] =
                EdgeStats(flows: l.int(10), firstSeen: l.int(11), lastSeen: l.int(12))
        }
        let a = try db.prepare(
            "SELECT src, dst, proto, port, outcome, bucket, side, address, source_id FROM edge_bucket_addresses")
        while try a.step() {
            out.sources[try source(a.int(8), "edge_bucket_addresses")]
                .edgeAddresses[try edge(a, "edge_bucket_addresses"), default: EdgeAddresses()][a.int(6) == 0 ? 0 : 1]
                .insert(a.text(7))
        }
        let b = try db.prepare("SELECT source_id FROM sources_before_edge_addresses")
        while try b.step() {
            // Source 0 (evidence from before schema 7) was refused above, with its rows.
            if let i = index[b.int(0)] { out.sources[i].addressesUnknown = true }
        }
        let v = try db.prepare(
            "SELECT src, dst, proto, port, outcome, bucket, service, source_id FROM edge_bucket_services")
        while try v.step() {
            out.sources[try source(v.int(7), "edge_bucket_services")]
                .edgeAddresses[try edge(v, "edge_bucket_services"), default: EdgeAddresses()].services.insert(v.text(6))
        }
        let w = try db.prepare("SELECT source_id FROM sources_before_edge_services")
        while try w.step() {
            if let i = index[w.int(0)] { out.sources[i].servicesUnknown = true }
        }
        for (table, column) in [("source_label_sets", "labels"), ("source_addresses", "address"),
                                ("source_names", "name"), ("source_services", "service")] {
            // Table and column names are the constants above, never input.
            let q = try db.prepare("SELECT endpoint_id, \(column), source_id FROM \(table)")
            while try q.step() {
                let i = try source(q.int(2), table), ep = try endpoint(q.int(0), table), v = q.text(1)
                switch table {
                case "source_label_sets": out.sources[i].labelSets[ep, default: []].insert(v)
                case "source_addresses": out.sources[i].addresses[ep, default: []].insert(v)
                case "source_names": out.sources[i].names[ep, default: []].insert(v)
                default: out.sources[i].services[ep, default: []].insert(v)
                }
            }
        }
        let u = try db.prepare("""
            SELECT src, dst, proto, port, outcome, bucket, point, source_id, src_ip, dst_ip, sides, flows, first_seen,
                   last_seen
            FROM unmapped_flows ORDER BY src, dst, proto, port, outcome, bucket, point, source_id, src_ip, dst_ip
            """)
        while try u.step() {
            out.sources[try source(u.int(7), "unmapped_flows")].unmapped.append(UnmappedFlow(
                sides: UInt8(truncatingIfNeeded: u.int(10)), sourceIP: u.text(8), destinationIP: u.text(9),
                edge: try edge(u, "unmapped_flows"), point: u.text(6),
                stats: EdgeStats(flows: u.int(11), firstSeen: u.int(12), lastSeen: u.int(13))))
        }

        let n = try db.prepare("SELECT name, labels, observed FROM namespaces")
        while try n.step() {
            out.namespaceLabels[n.text(0)] = n.text(1)
            out.namespaceObserved[n.text(0)] = n.int(2)
        }
        let lp = try db.prepare("SELECT endpoint_id, proto, port, flows FROM listening_ports")
        while try lp.step() {
            guard let proto = Proto(rawValue: lp.text(1)), let port = UInt16(exactly: lp.int(2)) else {
                throw unreadable("listening_ports", "protocol '\(lp.text(1))' port \(lp.int(2))")
            }
            out.listening[ListeningPort(endpoint: try endpoint(lp.int(0), "listening_ports"), proto: proto, port: port)] = lp.int(3)
        }
        let s = try db.prepare("SELECT k1, k2, time FROM seen_flows ORDER BY k1, k2")
        while try s.step() { out.seenFlows.append(SeenFlow(key: SeenFlow.Key(a: s.int(0), b: s.int(1)), time: s.int(2))) }
        out.inventory = try inventory()
        out.inventory.namespaces = [:]
        let pods = try db.prepare("SELECT count(*) FROM inventory_pods")
        if try pods.step(), pods.int(0) != Int64(out.inventory.pods.count) {
            throw unreadable("inventory_pods", "\(pods.int(0)) rows, \(out.inventory.pods.count) of them readable")
        }
        return out
    }

    private func unreadable(_ table: String, _ what: String) -> MergeFailure {
        MergeFailure(description: "\(path): \(table): \(what): not something this FlowMap writes (a newer FlowMap's "
            + "store, or a damaged one); nothing of it was merged")
    }

    // MARK: Absorbing into the target

    /// What `absorb` did with each source of an input.
    public struct Absorbed: Sendable {
        public struct Source: Sendable, Hashable {
            /// The source as the input lists it.
            public var input: SourceRecord
            /// Its id in the target: new when added, the one already holding it otherwise.
            public var id: Int64
            public var added: Bool
            /// The target's path of the source already holding it (equal to the input's unless the same content
            /// was ingested under another name).
            public var presentAs: String?
        }
        public var sources: [Source] = []
        /// Set when the input's buckets were narrower and were folded into the target's.
        public var foldedFrom: Int64?
        public var notes: [String] = []
        public init() {}
        public var added: Int { sources.filter(\.added).count }
        public var present: Int { sources.count - added }
    }

    /// Adds every source of `c` the store does not hold yet, as its own source, in one transaction (all of the
    /// input, or nothing). A source is already held when a source has the same content hash (what re-ingesting a
    /// file checks) or, for a stream without one, the same path, format, ingest time and counts; merging a store
    /// twice therefore changes nothing. (A new target's width is set first, `useBucketWidth`.) Narrower buckets
    /// whose width divides the store's fold into its buckets exactly (counts add per source and point, first and
    /// last seen are min and max); any other width is `BucketWidthMismatch`, nothing written.
    ///
    /// When the input adds a source, what it keeps for all its sources together is applied too, as if its sources
    /// were ingested after everything the store holds: namespace labels (as last reported), remembered flow
    /// events (for `--dedupe-window`), and its inventory when one of the added sources is an inventory (pods,
    /// Services, nodes, controllers, updated as an inventory ingest updates them). Listening-port counts are kept
    /// per store, not per source: they are added when the input shares no flow source with the store; when it
    /// does, only ports the store does not know yet are added (with the input's count), and a note says so.
    public func absorb(_ c: StoreContents) throws -> Absorbed {
        try db.transaction {
            // On PostgreSQL, one merge at a time and no ingest beside it: it adds sources and recomputes buckets
            // other writers may touch (as the lifecycle verbs do).
            try db.lockExclusive()
            var out = Absorbed()
            let width = try bucketWidth
            guard Self.foldsExactly(width: c.bucketWidth, into: width) else {
                throw BucketWidthMismatch(input: c.path, inputWidth: c.bucketWidth, target: path, targetWidth: width)
            }
            let fold = width != c.bucketWidth
            if fold { out.foldedFrom = c.bucketWidth }
            func bucket(_ b: BucketedEdge) -> BucketedEdge {
                fold ? BucketedEdge(edge: b.edge, bucket: TimeBucket.start(b.bucket, width: width)) : b
            }

            let byHash = try db.prepare("SELECT id, path FROM sources WHERE content_hash = ?")
            let byRow = try db.prepare("""
                SELECT id, path FROM sources WHERE content_hash IS NULL AND path = ? AND format = ? AND ingested_at = ?
                  AND lines = ? AND accepted = ? AND skipped = ? AND rejected = ? AND replies = ? AND bytes = ?
                ORDER BY id
                """)
            let insertSource = try db.prepare("""
                INSERT INTO sources (path, format, content_hash, ingested_at, lines, accepted, skipped, rejected,
                                     replies, bytes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """)
            let insertEvidence = try db.prepare(
                "INSERT INTO source_evidence (source_id, first_flow, last_flow) VALUES (?, ?, ?)")
            let insertResume = try db.prepare("""
                INSERT INTO source_resume (source_id, raw_length, resume_offset, reader_state, head_hash)
                VALUES (?, ?, ?, ?, ?)
                """)
            let upsertPoint = try db.prepare(Self.upsertBucketPoint)
            let insertReason = try db.prepare("""
                INSERT INTO edge_bucket_drop_reasons (src, dst, proto, port, outcome, bucket, reason, source_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            let upsertL7 = try db.prepare(Self.upsertL7)
            let insertAddress = try db.prepare(Self.insertEdgeAddresses.sql)
            let insertUnknown = try db.prepare(
                "INSERT INTO sources_before_edge_addresses (source_id) VALUES (?) ON CONFLICT DO NOTHING")
            let insertService = try db.prepare(Self.insertEdgeServices.sql)
            let insertServicesUnknown = try db.prepare(
                "INSERT INTO sources_before_edge_services (source_id) VALUES (?) ON CONFLICT DO NOTHING")
            let upsertUnmapped = try db.prepare(Self.upsertUnmapped)
            // Table and column names are constants of this file, never input.
            let facts = try [("source_label_sets", "labels"), ("source_addresses", "address"), ("source_names", "name"),
                             ("source_services", "service")].map {
                try db.prepare("INSERT INTO \($0.0) (endpoint_id, \($0.1), source_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            }

            var ids = [Endpoint: Int64]()
            func id(_ e: Endpoint) throws -> Int64 {
                if let i = ids[e] { return i }
                let i = try endpointID(e)
                ids[e] = i
                return i
            }
            func key(_ b: BucketedEdge) throws -> [Value] {
                [.int(try id(b.edge.source)), .int(try id(b.edge.destination)), .text(b.edge.proto.rawValue),
                 .int(Int64(b.edge.port)), .text(b.edge.outcome.rawValue), .int(b.bucket)]
            }
            var touched = Set<BucketedEdge>()
            var sharedFlowSource = false, addedInventory = false, heldInventory = false

            for s in c.sources {
                let r = s.record
                let q: Statement
                if let h = r.contentHash {
                    q = try byHash.bind(.text(h))
                } else {
                    q = try byRow.bind(.text(r.path), .text(r.format), .int(r.ingestedAt), .int(r.counts.lines),
                                       .int(r.counts.accepted), .int(r.counts.skipped), .int(r.counts.rejected),
                                       .int(r.counts.replies), .int(r.counts.bytes))
                }
                if try q.step() {
                    out.sources.append(Absorbed.Source(input: r, id: q.int(0), added: false, presentAs: q.text(1)))
                    if r.format == "inventory" { heldInventory = true } else { sharedFlowSource = true }
                    continue
                }
                let ins = try insertSource.bind(
                    .text(r.path), .text(r.format), r.contentHash.map { .text($0) } ?? .null, .int(r.ingestedAt),
                    .int(r.counts.lines), .int(r.counts.accepted), .int(r.counts.skipped), .int(r.counts.rejected),
                    .int(r.counts.replies), .int(r.counts.bytes))
                guard try ins.step() else { throw db.error(1) }
                let source = ins.int(0)
                _ = try ins.step()
                out.sources.append(Absorbed.Source(input: r, id: source, added: true, presentAs: nil))
                if r.format == "inventory" { addedInventory = true }
                try insertEvidence.bind(.int(source), Self.value(r.firstFlow), Self.value(r.lastFlow)).run()
                if let x = s.resume {
                    try insertResume.bind(.int(source), .int(x.rawLength), Self.value(x.offset),
                                          x.readerState.map { .text($0) } ?? .null, .text(x.headHash)).run()
                }
                var points = [BucketedEdge: [String: EdgeStats]]()
                for (b, byPoint) in s.points {
                    for (p, st) in byPoint { points[bucket(b), default: [:]][p, default: EdgeStats()].merge(st) }
                }
                for (b, byPoint) in points {
                    let k = try key(b)
                    for (p, st) in byPoint {
                        try upsertPoint.bind(k + [.text(p), .int(source), .int(st.flows), .int(st.firstSeen),
                                                  .int(st.lastSeen)]).run()
                    }
                    touched.insert(b)
                }
                for (b, reasons) in s.dropReasons {
                    let k = try key(bucket(b))
                    for x in reasons { try insertReason.bind(k + [.text(x), .int(source)]).run() }
                }
                for (b, byRequest) in s.l7 {
                    let k = try key(bucket(b))
                    for (request, st) in byRequest {
                        let (kind, method, p): (String, String, String)
                        switch request {
                        case .http(let m, let path): (kind, method, p) = ("http", m, path)
                        case .dns(let q): (kind, method, p) = ("dns", "", q)
                        }
                        try upsertL7.bind(k + [.text(kind), .text(method), .text(p), .int(source), .int(st.flows),
                                               .int(st.firstSeen), .int(st.lastSeen)]).run()
                    }
                }
                for (b, a) in s.edgeAddresses {
                    let k = try key(bucket(b))
                    for side in 0...1 {
                        for x in a[side] { try insertAddress.bind(k + [.int(Int64(side)), .text(x), .int(source)]).run() }
                    }
                    for x in a.services { try insertService.bind(k + [.text(x), .int(source)]).run() }
                }
                if s.addressesUnknown { try insertUnknown.bind(.int(source)).run() }
                if s.servicesUnknown { try insertServicesUnknown.bind(.int(source)).run() }
                for (q, values) in zip(facts, [s.labelSets, s.addresses, s.names, s.services]) {
                    for (e, vs) in values {
                        for v in vs { try q.bind(.int(try id(e)), .text(v), .int(source)).run() }
                    }
                }
                for u in s.unmapped {
                    try upsertUnmapped.bind(try key(bucket(u.edge)) + [
                        .text(u.point), .int(source), .text(u.sourceIP), .text(u.destinationIP), .int(Int64(u.sides)),
                        .int(u.stats.flows), .int(u.stats.firstSeen), .int(u.stats.lastSeen)]).run()
                }
            }
            guard out.added > 0 else { return out }

            let refresh = try BucketRefresh(db)
            try refresh.runAll(try touched.sorted().map(key))
            let namespace = try db.prepare(Self.upsertNamespace)
            for (ns, labels) in c.namespaceLabels.sorted(by: { $0.key < $1.key }) {
                try namespace.bind(.text(ns), .text(labels), .int(c.namespaceObserved[ns] ?? 0)).run()
            }
            let listening = try db.prepare(sharedFlowSource
                ? "INSERT INTO listening_ports (endpoint_id, proto, port, flows) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
                : Self.upsertListening)
            for (l, n) in c.listening.sorted(by: { $0.key < $1.key }) {
                try listening.bind(.int(try id(l.endpoint)), .text(l.proto.rawValue), .int(Int64(l.port)), .int(n)).run()
            }
            if sharedFlowSource && !c.listening.isEmpty {
                out.notes.append("\(c.path): shares flow sources with \(path) and adds others; listening-port counts "
                    + "are kept per store, not per source, so only ports \(path) did not know were added (the "
                    + "others keep their count)")
            }
            let seen = try db.prepare("INSERT INTO seen_flows (k1, k2, time) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            for f in c.seenFlows { try seen.bind(.int(f.key.a), .int(f.key.b), .int(f.time)).run() }
            if addedInventory {
                try storeInventory(c.inventory)
                if heldInventory {
                    out.notes.append("\(c.path): holds inventories \(path) already has and new ones; its inventory "
                        + "as it stands was applied (pods, Services, nodes, controllers)")
                }
            }
            return out
        }
    }
}
