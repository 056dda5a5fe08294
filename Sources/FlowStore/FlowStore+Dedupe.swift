import FlowModel

/// Flow events remembered for `ingest --dedupe-window` (schema 8, `seen_flows`).
extension FlowStore {
    /// The remembered events within `window` of the newest one.
    public func seenFlows(window: Int64) throws -> [SeenFlow] {
        let q = try db.prepare("""
            SELECT k1, k2, time FROM seen_flows
            WHERE time >= (SELECT max(time) FROM seen_flows) - ?
            """).bind(.int(window))
        var out: [SeenFlow] = []
        while try q.step() { out.append(SeenFlow(key: SeenFlow.Key(a: q.int(0), b: q.int(1)), time: q.int(2))) }
        return out
    }

    /// How many events are remembered.
    public func seenFlowCount() throws -> Int64 {
        let q = try db.prepare("SELECT count(*) FROM seen_flows")
        return try q.step() ? q.int(0) : 0
    }

    static let insertSeen = BulkInsert(table: "seen_flows", columns: ["k1", "k2", "time"], keyColumns: 2,
                                       conflict: "ON CONFLICT DO NOTHING")

    /// Part of `write`: remembers the batch's events and forgets those older than the window below the newest.
    func writeSeen(_ batch: IngestBatch) throws {
        guard let window = batch.dedupeWindow else { return }
        try db.insert(Self.insertSeen, batch.seenFlows.map { [.int($0.key.a), .int($0.key.b), .int($0.time)] })
        try db.prepare("""
            DELETE FROM seen_flows WHERE time < (SELECT max(time) FROM seen_flows) - ?
            """).bind(.int(window)).run()
    }
}
