import Foundation
import Testing
@testable import FlowIngest
import FlowModel

/// The Calico, VPC and generic readers on two threads (`LineReader.isOrdered`): the worker starts from the order
/// in effect before the main share (a field list, a CSV header, connections seen opened, no open record); when the
/// main share changes it, the worker's share is dropped and read again in order. Each input changes that order
/// in the middle (VPC headers switching layouts, a rejected header, SYN records; a second CSV header; records
/// spanning lines) and has rejected lines and unmapped records; two threads at three chunk sizes must read it as
/// one thread does.
@Suite("Ordered readers on two threads")
struct ParallelReaderTests {
    struct Rng {
        var s: UInt64
        mutating func next(_ n: Int) -> Int {
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((s >> 33) % UInt64(n))
        }
    }

    static func ip(_ r: inout Rng) -> String { "10.\(r.next(4)).\(r.next(200)).\(r.next(250) + 1)" }

    /// About 4.5 MB of lines: the order changes in the first, middle and last parts.
    static func input(_ kind: String) -> String {
        var r = Rng(s: 7)
        var out: [String] = []
        var size = 0
        var i = 0
        func add(_ s: String) {
            out.append(s)
            size += s.utf8.count + 1
        }
        let v5 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
            + "action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
            + "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path"
        if kind == "csv" { add("time,proto,src_ip,src_port,dst_ip,dst_port,verdict,observer,count") }
        while size < 4_600_000 {
            i += 1
            let (a, b) = (ip(&r), ip(&r))
            let sport = 30_000 + r.next(30_000), dport = [80, 443, 5432, 53, 8080][r.next(5)]
            let t = 1_700_000_000 + i / 50
            switch kind {
            case "vpc":
                // Headerless v2, then a v5 header with TCP flags, a header lacking fields, v2 by header again.
                let part = size * 4 / 4_600_000
                if i % 20_000 == 0 { add("# a comment") }
                if part == 1 && !out.contains(where: { $0.hasPrefix("version") }) { add(v5) }
                if part == 2 && !out.contains("version srcaddr dstaddr") {
                    add("version srcaddr dstaddr")
                    for _ in 0..<30 { add("2 10.0.0.1 10.0.0.2") }
                    add(Array(VPCReader.vpcFields.prefix(14)).joined(separator: " "))
                }
                let action = r.next(7) == 0 ? "REJECT" : "ACCEPT"
                let src = i % 1_333 == 0 ? "999.1.1.1" : a
                let sp = i % 1_777 == 0 ? "port" : "\(sport)"
                if part == 1 {
                    let flags = [2, 18, 16, 1, 0][r.next(5)]
                    add("5 123456789012 eni-\(r.next(40)) \(src) \(b) \(sp) \(dport) 6 3 200 \(t) \(t + 60) \(action) OK "
                        + "vpc-1 subnet-1 i-1 \(flags) IPv4 \(src) \(b) eu-west-1 euw1-az1 - - - - "
                        + "\(r.next(2) == 0 ? "ingress" : "egress") -")
                } else {
                    add("2 123456789012 eni-\(r.next(40)) \(src) \(b) \(sp) \(dport) \(r.next(9) == 0 ? 17 : 6) 3 200 "
                        + "\(t) \(t + 60) \(action) \(i % 3_001 == 0 ? "NODATA" : "OK")")
                }
            case "csv":
                if i == 20_000 { add("time,proto,src_ip,src_port,dst_ip,dst_port,verdict,observer,count") }
                let port = i % 1_511 == 0 ? "70000" : "\(dport)"
                add("\(t),tcp,\(a),\(sport),\(b),\(port),\(r.next(6) == 0 ? "denied" : "allowed"),node-\(r.next(9)),"
                    + "\(1 + r.next(3))")
            case "jsonl", "calico":
                let pretty = i % 5 == 0
                var rec: String
                if kind == "jsonl" {
                    let port = i % 1_511 == 0 ? "\"eighty\"" : "\(dport)"
                    rec = #"{"time":\#(t),"proto":"tcp","src_ip":"\#(a)","src_port":\#(sport),"dst_ip":"\#(b)","#
                        + #""dst_port":\#(port),"verdict":"\#(r.next(6) == 0 ? "denied" : "allowed")","observer":"n\#(r.next(9))"}"#
                } else {
                    let act = i % 1_511 == 0 ? "maybe" : r.next(6) == 0 ? "deny" : "allow"
                    rec = #"{"start_time":\#(t),"end_time":\#(t + 300),"source_ip":"\#(a)","source_name":"-","#
                        + #""source_name_aggr":"pvt","source_namespace":"-","source_type":"net","source_port":null,"#
                        + #""dest_ip":"\#(b)","dest_name":"-","dest_name_aggr":"web-\#(r.next(30))-*","#
                        + #""dest_namespace":"ns\#(r.next(5))","dest_port":\#(dport),"dest_type":"wep","#
                        + #""dest_labels":{"labels":["app=web\#(r.next(30))"]},"proto":"tcp","action":"\#(act)","#
                        + #""reporter":"\#(r.next(2) == 0 ? "src" : "dst")","policies":{"all_policies":["0|t|ns/p|deny"]},"#
                        + #""num_flows":\#(1 + r.next(4)),"num_flows_started":1,"num_flows_completed":1}"#
                }
                if pretty {
                    // A record spanning lines: one line per key, so a split can fall inside it.
                    // (Opened by a line holding only the brace, as `MultiLineJSON` wants.)
                    rec = "{\n  " + String(rec.dropFirst().dropLast()).replacingOccurrences(of: ",\"", with: ",\n  \"")
                        + "\n}"
                    for l in rec.split(separator: "\n") { add(String(l)) }
                } else {
                    add(rec)
                }
                if i % 2_003 == 0 { add("{\"not\": json") }
            default: Issue.record("unknown kind \(kind)")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    struct Run {
        var chunks: [IngestDriver.Chunk] = []
        var issues: [InputIssue] = []
    }

    static func read<R: LineReader>(_ path: String, _ reader: R, _ driver: IngestDriver) throws -> Run {
        var rd = reader
        var out = Run()
        try driver.run(path: path, reader: &rd, onIssue: { out.issues.append($0) }) { out.chunks.append($0) }
        return out
    }

    static func same(_ a: Run, _ b: Run, _ what: String) {
        #expect(a.chunks.count == 1 && b.chunks.count == 1, "\(what)")
        guard let x = a.chunks.last, let y = b.chunks.last else { return }
        ReferenceDecoderTests.assertSame((x.batch, x.counts), (y.batch, y.counts), what)
        #expect(x.batch.services == y.batch.services, "services differ: \(what)")
        #expect(x.batch.buckets == y.batch.buckets, "buckets differ: \(what)")
        #expect(x.batch.points == y.batch.points, "points differ: \(what)")
        #expect(x.batch.edgeAddresses == y.batch.edgeAddresses, "edge addresses differ: \(what)")
        #expect(x.batch.listening == y.batch.listening, "listening differ: \(what)")
        #expect(x.batch.unmapped.map { "\($0)" }.sorted() == y.batch.unmapped.map { "\($0)" }.sorted(),
                "unmapped differ: \(what)")
        #expect(x.counts == y.counts, "counts differ: \(what)")
        #expect(a.issues.map(\.line) == b.issues.map(\.line), "issue lines differ: \(what)")
        #expect(a.issues.map(\.message) == b.issues.map(\.message), "issue messages differ: \(what)")
        #expect(x.resume?.readerState == y.resume?.readerState, "resume state differs: \(what)")
        #expect(x.resume?.offset == y.resume?.offset, "resume offset differs: \(what)")
    }

    static func check<R: LineReader>(_ kind: String, _ make: () -> R) throws {
        let u = Fixtures.tempDir().appendingPathComponent("ordered-\(kind).txt")
        try Data(input(kind).utf8).write(to: u)
        let one = try read(u.path, make(), IngestDriver(threads: 1, progress: .off))
        let c = try #require(one.chunks.last?.counts)
        #expect(c.accepted > 5_000 && c.rejected > 5, "\(kind): \(c)")
        if kind != "calico" { #expect(one.chunks.last?.batch.unmapped.isEmpty == false, "\(kind): unmapped") }
        for chunk in [(3 << 20) / 2, 2 << 20, 3 << 20 + 12_345] {
            let two = try read(u.path, make(), IngestDriver(chunkBytes: chunk, threads: 2, progress: .off))
            same(two, one, "\(kind), chunk \(chunk)")
        }
    }

    @Test("VPC: headerless v2, a v5 header with SYN records, a header lacking fields, a v2 header")
    func vpc() throws { try Self.check("vpc") { VPCReader() } }

    @Test("generic CSV: the header in the first share, a second header line, rejected cells")
    func csv() throws { try Self.check("csv") { FlowRecordReader(syntax: .csv) } }

    @Test("generic JSON lines: records spanning lines, rejected lines")
    func jsonl() throws { try Self.check("jsonl") { FlowRecordReader(syntax: .jsonl) } }

    @Test("Calico: records spanning lines, rejected lines")
    func calico() throws { try Self.check("calico") { CalicoReader() } }

    @Test("absorb carries the unmapped flows, decided and pending, as one aggregator holds them")
    func absorbUnmapped() {
        func fill(_ agg: inout FlowAggregator, _ range: Range<Int>) {
            for i in range {
                // Both ports and no flags: undecided, pending until the batch ends; port 0: decided at once.
                var f = Flow(time: Int64(i) * 1_000_000_000, source: FlowPeer(endpoint: .external("10.0.0.\(i % 7 + 1)"),
                                                                               ip: "10.0.0.\(i % 7 + 1)"),
                             destination: FlowPeer(endpoint: .external("10.1.0.\(i % 5 + 1)"), ip: "10.1.0.\(i % 5 + 1)"),
                             proto: .tcp, sourcePort: i % 2 == 0 ? 40_000 : 0, destinationPort: 443,
                             verdict: .forwarded, dropReason: "", direction: .egress, observationPoint: "p\(i % 3)",
                             isReply: nil, weight: 1)
                f.unknownSides = Flow.unknownSides(f)
                agg.add(f)
            }
        }
        var one = FlowAggregator(), a = FlowAggregator(), b = FlowAggregator()
        _ = b.stringID("shifts b's string ids")
        fill(&one, 0..<100)
        fill(&a, 0..<40)
        fill(&b, 40..<100)
        a.absorb(b)
        let x = one.take().0, y = a.take().0
        #expect(!x.unmapped.isEmpty)
        #expect(x.unmapped.map { "\($0)" }.sorted() == y.unmapped.map { "\($0)" }.sorted())
        #expect(x.edges == y.edges)
    }
}
