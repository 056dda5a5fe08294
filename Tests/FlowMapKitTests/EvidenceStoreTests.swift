import Foundation
import TestSupport
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// Issue 17: the bucketed store, --since/--until as whole buckets, and the lifecycle verbs (sources, forget,
/// prune, export).
@Suite("Evidence store over time")
struct EvidenceStoreTests {
    typealias Row = BucketCapture.Row

    static func counts(_ edges: [ObservedEdge]) -> [String: Int64] {
        var out = [String: Int64]()
        for e in edges { out["\(e.key.source.name)->\(e.key.destination.name):\(e.key.port)/\(e.key.outcome.rawValue)"] = e.stats.flows }
        return out
    }

    /// A capture over 10:00..12:59 (one record a minute over three edges, varying counts, one observation point),
    /// plus records exactly on the hour boundaries.
    static var threeHours: [Row] {
        let edges = [("web", "api", 8080, "allowed"), ("api", "db", 5432, "allowed"), ("web", "db", 5432, "denied")]
        var rows: [Row] = []
        for i in 0..<180 {
            let (s, d, p, v) = edges[i % 3]
            rows.append(Row(time: String(format: "2024-05-01T%02d:%02d:%02dZ", 10 + i / 60, i % 60, (i * 13) % 60),
                            src: s, dst: d, port: p, count: Int64(1 + (i * 7) % 5), verdict: v))
        }
        rows.append(Row(time: "2024-05-01T11:00:00Z", src: "web", dst: "api", port: 8080, count: 100))
        rows.append(Row(time: "2024-05-01T11:59:59.999999999Z", src: "web", dst: "api", port: 8080, count: 1000))
        rows.append(Row(time: "2024-05-01T12:00:00Z", src: "web", dst: "api", port: 8080, count: 10000))
        return rows
    }

    /// What the input says about [from, to): the summed count per edge.
    static func expected(_ rows: [Row], from: Int64, to: Int64) -> [String: Int64] {
        var out = [String: Int64]()
        for r in rows where r.ns >= from && r.ns < to { out[r.edge, default: 0] += r.count }
        return out
    }

    static let h10 = Timestamp.parseRFC3339("2024-05-01T10:00:00Z")!
    static let hour: Int64 = 3_600_000_000_000

    @Test("3 hours in 1h buckets: --since/--until the second hour gives exactly the counts of that hour's flows")
    func secondHour() throws {
        let dir = TestSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let rows = Self.threeHours
        _ = try BucketCapture.ingest([BucketCapture.file(rows, "f.csv", in: dir)], db: db)
        let store = try FlowStore(path: db)
        let h11 = Self.h10 + Self.hour, h12 = h11 + Self.hour, h13 = h12 + Self.hour
        let second = Self.expected(rows, from: h11, to: h12)
        #expect(second["web->api:8080/allowed"]! > 1100)  // the boundary records are in it
        let w = try TimeFlag.window(since: "2024-05-01T11:00:00Z", until: "2024-05-01T11:59:59Z")
        #expect(Self.counts(try store.edges(window: w)) == second)
        // Rounding: a bound inside a bucket takes the whole bucket.
        let mid = try TimeFlag.window(since: "2024-05-01T11:30:00Z", until: "2024-05-01T11:30:00Z")
        #expect(Self.counts(try store.edges(window: mid)) == second)
        // --since alone: the second and third hours; relative to a fixed now (13:00 → 2h ago is 11:00).
        let late = try TimeFlag.window(since: "2h", until: nil, now: h13)
        #expect(late.since == h11)
        #expect(Self.counts(try store.edges(window: late)) == Self.expected(rows, from: h11, to: h13))
        #expect(Self.counts(try store.edges()) == Self.expected(rows, from: Self.h10, to: h13))
        // Export of the same window: one record per edge in the one bucket, the same counts.
        let lines = try Export.run(db: db, format: .jsonl, window: w).split(separator: "\n")
        var exported = [String: Int64]()
        for l in lines {
            let o = try JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
            #expect(o["bucket"] as? String == "2024-05-01T11:00:00.000000000Z")
            exported["\(o["src_name"]!)->\(o["dst_name"]!):\(o["port"]!)/\(o["verdict"]!)"] = (o["flows"] as! NSNumber).int64Value
        }
        #expect(exported == second)
        // generate reads the same window: the denied edge is in it, and the plan comes from the hour's edges.
        var g = Generate.Options(db: db, out: "-")
        g.window = w
        #expect(try Generate.run(g).edgesRead == second.count)
    }

    @Test("relative times and durations: 30m, 24h, 7d back from a fixed now; RFC 3339; malformed ones are errors")
    func relativeTimes() throws {
        let now = Self.h10
        #expect(RelativeTime.parse("30m", now: now) == now - 30 * 60_000_000_000)
        #expect(RelativeTime.parse("24h", now: now) == now - 24 * Self.hour)
        #expect(RelativeTime.parse("7d", now: now) == now - 7 * 24 * Self.hour)
        #expect(RelativeTime.parse("2024-05-01T10:00:00Z", now: 0) == now)
        for bad in ["", "h", "0h", "-1h", "+1h", "1y", "1.5h", "99999999999999d"] {
            #expect(RelativeTime.parse(bad, now: now) == nil, "\(bad)")
        }
        #expect(RelativeTime.duration("5m") == 300_000_000_000 && RelativeTime.duration("1d") == 24 * Self.hour)
        #expect(RelativeTime.format(duration: Self.hour) == "1h" && RelativeTime.format(duration: 300_000_000_000) == "5m")
        #expect(throws: TimeFlag.Failure.self) { try TimeFlag.window(since: "tomorrow", until: nil) }
        #expect(throws: TimeFlag.Failure.self) { try TimeFlag.window(since: "1h", until: "2h", now: now) }
        // Buckets floor, before the epoch too.
        #expect(TimeBucket.start(-1, width: 10) == -10 && TimeBucket.start(10, width: 10) == 10
                && TimeBucket.start(19, width: 10) == 10)
    }

    /// Everything the readers see, as text (sources excluded: their ids and times differ by design).
    static func snapshot(_ db: String) throws -> String {
        let s = try FlowStore(path: db)
        var out = try Export.run(db: db, format: .jsonl)
        for (k, obs) in try s.l7().sorted(by: { $0.key < $1.key }) {
            out += "l7 \(k.source.name)->\(k.destination.name):\(k.port) " + obs.map { "\($0.request)=\($0.stats.flows)@\($0.stats.firstSeen)-\($0.stats.lastSeen)" }.joined(separator: ",") + "\n"
        }
        for (e, v) in try s.labelSets().sorted(by: { $0.key < $1.key }) { out += "labels \(e) \(v.map(\.canonical))\n" }
        for (e, v) in try s.addresses().sorted(by: { $0.key < $1.key }) { out += "addresses \(e) \(v)\n" }
        for (e, v) in try s.names().sorted(by: { $0.key < $1.key }) { out += "names \(e) \(v)\n" }
        for (e, v) in try s.services().sorted(by: { $0.key < $1.key }) { out += "services \(e) \(v)\n" }
        out += "endpoints \(try s.endpoints())\n"
        return out
    }

    @Test("forget one of two sources equals ingesting only the other (counts, first/last seen, labels, endpoints)")
    func forgetOneOfTwo() throws {
        let dir = TestSupport.tempDir()
        let (a, b) = BucketCapture.twoCaptures(in: dir)
        let both = dir.appendingPathComponent("both.db").path, onlyB = dir.appendingPathComponent("b.db").path
        _ = try BucketCapture.ingest([a, b, BucketCapture.dnsSample], db: both)
        _ = try BucketCapture.ingest([b, BucketCapture.dnsSample], db: onlyB)
        let before = try Self.snapshot(both)
        #expect(before != (try Self.snapshot(onlyB)))
        let r = try Forget.run(db: both, source: a)
        #expect(r.sources.map(\.path) == [a] && r.buckets == 4)
        #expect(try Self.snapshot(both) == (try Self.snapshot(onlyB)))
        #expect(try ListSources.run(db: both).map(\.path) == [b, BucketCapture.dnsSample])
        // Forgetting what is not there says so, and names how to list the sources.
        #expect { _ = try Forget.run(db: both, source: a) } throws: { "\($0)".contains("flowmap sources") }
    }

    @Test("forget then re-ingest equals the original (L7, DNS names and per-point counts included)")
    func forgetThenReingest() throws {
        let dir = TestSupport.tempDir()
        let (a, b) = BucketCapture.twoCaptures(in: dir)
        let db = dir.appendingPathComponent("s.db").path
        _ = try BucketCapture.ingest([a, b, BucketCapture.httpSample, BucketCapture.dnsSample], db: db)
        let original = try Self.snapshot(db)
        for forgotten in [BucketCapture.httpSample, a] {
            let id = try #require(try ListSources.run(db: db).first { $0.path == forgotten }?.id)
            _ = try Forget.run(db: db, source: "\(id)")
            #expect(try Self.snapshot(db) != original)
            let r = try BucketCapture.ingest([forgotten], db: db)
            #expect(r.files.allSatisfy { $0.duplicateOf == nil }, "a forgotten source is ingested again, not a duplicate")
            #expect(try Self.snapshot(db) == original)
        }
    }

    @Test("--bucket sets a new store's width; another width on a store with sources is an error naming its width")
    func bucketWidth() throws {
        let dir = TestSupport.tempDir()
        let (a, b) = BucketCapture.twoCaptures(in: dir)
        let db = dir.appendingPathComponent("s.db").path
        _ = try BucketCapture.ingest([a], db: db, bucket: 300_000_000_000)
        #expect(try FlowStore(path: db).bucketWidth == 300_000_000_000)
        let csv = try Export.run(db: db, format: .csv)
        #expect(csv.split(separator: "\n").first == Substring(Export.columns.joined(separator: ",")))
        #expect(csv.contains("2024-05-01T10:05:00.000000000Z,300,workload,shop,web,"))
        #expect {
            _ = try Ingest.run(paths: [b], options: { var o = Ingest.Options(db: db); o.bucketWidth = Self.hour; return o }()) { _ in }
        } throws: { "\($0)".contains("keeps 5m buckets") && "\($0)".contains("--bucket 1h") }
        #expect(!(try ListSources.run(db: db).contains { $0.path == b }), "nothing was ingested")
        _ = try BucketCapture.ingest([b], db: db, bucket: 300_000_000_000)  // the same width is fine
    }

    @Test("sources lists path, format, lines, accepted, rejected, first/last flow, ingested-at (text and JSON)")
    func sourcesListing() throws {
        let dir = TestSupport.tempDir()
        let (a, _) = BucketCapture.twoCaptures(in: dir)
        let bad = dir.appendingPathComponent("bad.csv")
        TestSupport.write(BucketCapture.header + "\n" + Row(time: "2024-05-01T09:00:00Z", src: "web", dst: "api", port: 80, count: 1).line
                          + "\nnot,a,record\n", to: bad)
        let db = dir.appendingPathComponent("s.db").path
        _ = try Ingest.run(paths: [a, bad.path], options: Ingest.Options(db: db)) { _ in }
        let s = try ListSources.run(db: db)
        #expect(s.map(\.path) == [a, bad.path] && s.map(\.format) == ["flowmap-csv", "flowmap-csv"])
        #expect(s[0].counts.lines == 5 && s[0].counts.accepted == 4 && s[0].counts.rejected == 0)
        #expect(s[1].counts.rejected == 1 && s[1].counts.accepted == 1)
        #expect(s[0].firstFlow == Timestamp.parseRFC3339("2024-05-01T10:05:00Z"))
        #expect(s[0].lastFlow == Timestamp.parseRFC3339("2024-05-01T12:00:00Z"))
        let json = try JSONSerialization.jsonObject(with: Data(ListSources.json(s).utf8)) as! [String: Any]
        let rows = json["sources"] as! [[String: Any]]
        #expect(rows.count == 2 && rows[0]["path"] as? String == a && rows[0]["first_flow"] as? String == "2024-05-01T10:05:00Z")
        #expect(rows[1]["rejected"] as? Int == 1 && rows[0]["forgettable"] as? Bool == true)
        let text = ListSources.text(s)
        #expect(text.contains("\(a)  flowmap-csv  lines 5, accepted 4, rejected 0  flows 2024-05-01T10:05:00Z .. 2024-05-01T12:00:00Z"))
    }

    @Test("prune --before T drops the buckets ending at or before T and says how many; the bucket holding T stays")
    func prune() throws {
        let dir = TestSupport.tempDir()
        let db = dir.appendingPathComponent("s.db").path
        let rows = Self.threeHours
        _ = try BucketCapture.ingest([BucketCapture.file(rows, "f.csv", in: dir)], db: db)
        let h11 = Self.h10 + Self.hour
        let r = try Prune.run(db: db, before: h11 + Self.hour / 2)  // 11:30: only the 10:00 bucket ends before
        #expect(r.buckets == 1 && r.rows == 3)
        #expect(Self.counts(try FlowStore(path: db).edges()) == Self.expected(rows, from: h11, to: h11 + 2 * Self.hour))
        let again = try Prune.run(db: db, before: h11)
        #expect(again.buckets == 0 && again.rows == 0)
    }
}
