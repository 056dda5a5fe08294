import Foundation
import Testing
@testable import FlowIngest
import FlowModel

/// Issue 22: the Calico, VPC and generic readers read most lines on a fast path (byte ranges, `RecordCache`)
/// and hand the rest to the path they always had (Foundation's JSONSerialization, Strings). Both paths must
/// decide every line the same way: the same result per line (field and message of a rejection included) and
/// the same batch. Each test reads the repository's samples, synthetic lines like the benchmark's, and
/// deterministic mutations of them (types changed, fields dropped or duplicated, numbers with signs and
/// fractions, bad addresses and names, escapes, truncation) once with the fast path and once without.
@Suite("Reader fast paths vs the paths they replace")
struct FastPathDifferentialTests {
    typealias RNG = JSONDifferentialTests.RNG

    struct Run {
        var results: [LineResult] = []
        var batch = IngestBatch()
        var counts = IngestCounts()
    }

    static func run<R: LineReader>(_ reader: R, _ lines: [String]) -> Run {
        var r = reader
        var agg = FlowAggregator()
        var out = Run()
        for line in lines {
            var l = line
            let res = l.withUTF8 { r.read(line: UnsafeRawBufferPointer($0), into: &agg) }
            if res != .pending { agg.countLine() }
            switch res {
            case .skipped: agg.countSkipped()
            case .rejected: agg.countRejected()
            default: break
            }
            out.results.append(res)
        }
        (out.batch, out.counts) = agg.take()
        return out
    }

    static func assertSame(_ fast: Run, _ slow: Run, _ lines: [String], _ what: String) {
        #expect(fast.results.count == slow.results.count)
        var shown = 0
        for (i, (a, b)) in zip(fast.results, slow.results).enumerated() where a != b && shown < 5 {
            shown += 1
            Issue.record("\(what): line \(i + 1) fast \(a) slow \(b): \(lines[i].prefix(300))")
        }
        ReferenceDecoderTests.assertSame((fast.batch, fast.counts), (slow.batch, slow.counts), what)
        #expect(fast.batch.services == slow.batch.services, "services differ: \(what)")
        #expect(fast.batch.listening == slow.batch.listening, "listening ports differ: \(what)")
        #expect(fast.batch.buckets == slow.batch.buckets, "buckets differ: \(what)")
        #expect(fast.batch.points == slow.batch.points, "points differ: \(what)")
        #expect(Set(fast.batch.unmapped.map { "\($0)" }) == Set(slow.batch.unmapped.map { "\($0)" }),
                "unmapped differ: \(what)")
    }

    static func sample(_ path: String) -> [String] {
        let url = Fixtures.repoRoot.appendingPathComponent(path)
        return (try! String(contentsOf: url, encoding: .utf8)).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
    }

    static func pick<T>(_ a: [T], _ rng: inout RNG) -> T { a[Int(rng.next() % UInt64(a.count))] }

    // MARK: JSON mutations

    static let jsonPool: [JSONValue] = [
        .null, .string(""), .string("-"), .number("0"), .number("-1"), .number("-0"), .number("1.5"), .number("1e3"),
        .number("1e400"), .number("123456789012345678901234"), .string("80"), .string(" 80 "), .bool(true),
        .bool(false), .object([]), .array([]), .string("10.0.0.1"), .string("::ffff:10.0.0.1"), .string("999.1.1.1"),
        .string("x*"), .string("DENY"), .string("Allow"), .string("PASS"), .string("SRC"), .string("tcp"),
        .string("UDP"), .number("6"), .number("17"), .string("2019-12-31T23:24:17Z"), .string("1577834657.5"),
        .string("1577834657"), .number("1577834657"), .string("Bad_Name"), .string("wep"), .string("net"),
        .string("hep"), .string("pub"), .string("pvt"), .string("ünï"),
        .object([("labels", .array([.string("app=a"), .string("bad key=v")]))]),
        .object([("labels", .array([.string("app=a")])), ("labels", .array([]))]),
        .object([("a", .string("b"))]), .array([.string("k=v"), .number("1")]),
        .object([("all_policies", .array([.string("0|t|t.deny-x|deny")]))]),
        .object([("enforced_policies", .array([])), ("all_policies", .array([.string("0|t|t.p|deny")]))]),
        .string("allowed"), .string("denied"), .string("Egress"), .string("in"), .string("yes"),
    ]

    static func mutate(_ v: JSONValue, _ rng: inout RNG) -> String {
        guard case .object(var m) = v, !m.isEmpty else { return "{}" }
        let k = Int(rng.next() % UInt64(m.count))
        switch rng.next() % 9 {
        case 0, 1, 2: m[k].1 = pick(jsonPool, &rng)
        case 3: m.remove(at: k)
        case 4: m.append((m[k].0, pick(jsonPool, &rng)))  // a key given twice
        case 5: m.append(("x_unknown", pick(jsonPool, &rng)))
        case 6:
            var out = ""
            JSONDifferentialTests.write(.object(m), .init(shuffle: true, whitespace: false, escape: true), &rng,
                                        into: &out)
            return out.replacingOccurrences(of: "\n", with: " ")
        case 7:
            var out = ""
            JSONDifferentialTests.write(.object(m), .init(), &rng, into: &out)
            return String(out.prefix(Int(rng.next() % UInt64(max(out.count, 1)))))  // truncated
        default:
            m.shuffle(using: &rng)
        }
        var out = ""
        JSONDifferentialTests.write(.object(m), .init(), &rng, into: &out)
        return out
    }

    static func mutated(_ lines: [String], rounds: Int, seed: UInt64) -> [String] {
        var rng = RNG(state: seed)
        var out: [String] = []
        let objects = lines.compactMap { JSONDifferentialTests.ours(Array($0.utf8)) }
        for _ in 0..<rounds {
            for o in objects { out.append(mutate(o, &rng)) }
        }
        return out
    }

    // MARK: Calico

    /// Lines like `bench/gen_flows.py calico`, with denies, services, `net` and `hep` ends.
    static func calicoLines(_ n: Int) -> [String] {
        var rng = RNG(state: 11)
        var out: [String] = []
        for i in 0..<n {
            let s = Int(rng.next() % 12), d = Int(rng.next() % 12)
            let deny = rng.next() % 7 == 0
            let dtype = ["wep", "wep", "wep", "net", "hep", "ns"][i % 6]
            var line = #"{"start_time":\#(1_700_000_000 + i),"end_time":\#(1_700_000_300 + i),"#
                + #""source_ip":"10.0.\#(s).\#(s + 2)","source_name":"-","source_name_aggr":"svc\#(s)-5bdcdd9c97-*","#
                + #""source_namespace":"ns\#(s % 3)","source_port":null,"source_type":"wep","#
                + #""source_labels":{"labels":["pod-template-hash=5bdcdd9c97","app=svc\#(s)"]},"#
                + #""dest_ip":\#(dtype == "ns" ? "null" : "\"10.1.\(d).\(d + 5)\""),"dest_name":"-","#
                + #""dest_name_aggr":"\#(dtype == "ns" ? "pub" : "db\(d)-576cbf47c7-*")","dest_namespace":"ns\#(d % 3)","#
                + #""dest_port":\#([53, 80, 443, 5432][d % 4]),"dest_type":"\#(dtype)","#
                + #""dest_labels":{"labels":["pod-template-hash=576cbf47c7","app=db\#(d)"]},"#
                + #""proto":"\#(d % 4 == 0 ? "udp" : "tcp")","action":"\#(deny ? "deny" : "allow")","#
                + #""reporter":"\#(i % 2 == 0 ? "src" : "dst")","#
                + #""policies":{"all_policies":["\#(deny ? "0|default|default.deny-all|deny" : "0|__PROFILE__|__PROFILE__.kns.x|allow")"]},"#
                + #""bytes_in":\#(i * 7 % 9000),"bytes_out":12,"num_flows":\#(i % 50)"#
            if i % 5 == 0 {
                line += #","dest_service_namespace":"ns\#(d % 3)","dest_service_name":"db\#(d)","dest_service_port":"\#(i % 10 == 0 ? "http" : "-")","dest_service_port_num":\#(8000 + d)"#
            }
            out.append(line + "}")
        }
        return out
    }

    @Test("Calico: samples, benchmark-like lines and mutations read the same both ways")
    func calico() {
        var slowReader = CalicoReader()
        slowReader.fastPath = false
        let base = Self.sample("samples/calico/calico_felix_flows.log") + Self.calicoLines(400)
        let sets: [(String, [String])] = [
            ("samples", Self.sample("samples/calico/calico_felix_flows.log")
                + Self.sample("samples/calico/flowmap-pretty-printed.json")),
            ("benchmark-like", Self.calicoLines(400)),
            ("mutated", Self.mutated(base, rounds: 6, seed: 3)),
        ]
        for (what, lines) in sets {
            let fast = Self.run(CalicoReader(), lines), slow = Self.run(slowReader, lines)
            Self.assertSame(fast, slow, lines, "calico \(what)")
            #expect(fast.counts.accepted > 0, "calico \(what) accepts something")
        }
    }

    @Test("Calico: the fast path reads the benchmark-like lines itself (no silent fallback)")
    func calicoFastPathIsTaken() {
        var r = CalicoReader()
        var agg = FlowAggregator()
        for line in Self.calicoLines(50) {
            var l = line
            let res = l.withUTF8 { r.fastRecord(UnsafeRawBufferPointer($0), into: &agg) }
            #expect(res == .accepted, "\(line)")
        }
    }

    // MARK: VPC

    static func vpcLines(_ n: Int) -> [String] {
        var rng = RNG(state: 5)
        var out: [String] = []
        for i in 0..<n {
            let s = Int(rng.next() % 10), d = Int(rng.next() % 10)
            let sport = 32768 + Int(rng.next() % 100)
            out.append("2 123456789012 eni-\(i % 4) 10.0.0.\(s) 10.0.1.\(d) \(sport) \([53, 80, 443][d % 3]) "
                       + "\(d % 3 == 0 ? 17 : 6) 10 900 \(1_700_000_000 + i) \(1_700_000_060 + i) "
                       + "\(i % 9 == 0 ? "REJECT" : "ACCEPT") OK")
        }
        return out
    }

    static let tokenPool = ["-", "0080", "+80", "-1", "-0", "70000", "abc", "6", "17", "1", "58", "06", "tcp", "ACCEPT",
                            "REJECT", "accept", "NODATA", "SKIPDATA", "ingress", "egress", "::1", "0::1", "10.0.0.1",
                            "10.0.0.01", "999.1.1.1", "ünï", "#x", "version", "${srcaddr}", "2", "18", "19",
                            "99999999999", "1700000000", "9300000000", "eni-1"]

    static func mutateVPC(_ line: String, _ rng: inout RNG) -> String {
        var t = line.split(separator: " ").map(String.init)
        guard !t.isEmpty else { return line }
        let k = Int(rng.next() % UInt64(t.count))
        switch rng.next() % 6 {
        case 0, 1, 2: t[k] = pick(tokenPool, &rng)
        case 3: t.remove(at: k)
        case 4: t.insert(pick(tokenPool, &rng), at: k)
        default: return "  " + t.joined(separator: "\t") + " "
        }
        return t.joined(separator: " ")
    }

    @Test("VPC: samples, benchmark-like lines and mutations read the same both ways")
    func vpc() throws {
        var slowReader = VPCReader()
        slowReader.fastPath = false
        let samples = ["awsdocs_flow-logs-records-examples_codeblocks.txt", "flowmap-tgw-default.log",
                       "flowmap-v5-all-fields.log", "flowmap-v8-ecs.log"]
            .flatMap { Self.sample("samples/vpc/\($0)") }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        var rng = RNG(state: 9)
        var mutated: [String] = []
        let base = samples + Self.vpcLines(200)
        for _ in 0..<8 { for l in base { mutated.append(Self.mutateVPC(l, &rng)) } }
        // With SYN / SYN-ACK / no flags: the connection table decides replies and later windows.
        let header = "version interface-id srcaddr dstaddr srcport dstport protocol start end action tcp-flags log-status"
        var conn = [header]
        for i in 0..<300 {
            let a = "10.0.0.\(i % 7)", b = "10.0.1.\(i % 5)", pa = 40000 + i % 11
            conn.append(["2 eni-1 \(a) \(b) \(pa) 443 6 \(1_700_000_000 + i) \(1_700_000_060 + i) ACCEPT 2 OK",
                         "2 eni-2 \(b) \(a) 443 \(pa) 6 \(1_700_000_000 + i) \(1_700_000_060 + i) ACCEPT 18 OK",
                         "2 eni-1 \(a) \(b) \(pa) 443 6 \(1_700_000_100 + i) \(1_700_000_160 + i) ACCEPT 0 OK",
                         "2 eni-3 \(b) \(a) 443 \(pa) 6 \(1_700_000_100 + i) \(1_700_000_160 + i) REJECT - OK"][i % 4])
        }
        for (what, lines) in [("samples", samples), ("benchmark-like", Self.vpcLines(300)), ("mutated", mutated),
                              ("connections", conn)] {
            let fast = Self.run(VPCReader(), lines), slow = Self.run(slowReader, lines)
            Self.assertSame(fast, slow, lines, "vpc \(what)")
            #expect(fast.counts.accepted > 0, "vpc \(what) accepts something")
        }
    }

    @Test("VPC: the fast path reads the benchmark-like lines itself")
    func vpcFastPathIsTaken() {
        var r = VPCReader()
        var agg = FlowAggregator()
        for line in Self.vpcLines(50) {
            var l = line
            let res = l.withUTF8 { r.fastRecord(UnsafeRawBufferPointer($0), into: &agg) }
            #expect(res == .accepted, "\(line)")
        }
    }

    // MARK: Generic CSV and JSON lines

    static let csvHeader = "time,end_time,proto,src_ip,dst_ip,src_namespace,src_workload,dst_namespace,dst_workload,"
        + "dst_port,src_port,verdict,direction,observer,count,drop_reason,src_labels,is_reply"

    static func csvLines(_ n: Int) -> [String] {
        var rng = RNG(state: 13)
        var out: [String] = []
        for i in 0..<n {
            let s = Int(rng.next() % 10), d = Int(rng.next() % 10)
            let ns = i % 3 == 0 ? "" : "ns\(s % 3)"
            out.append("\(1_700_000_000 + i),\(1_700_000_060 + i),\(d % 3 == 0 ? "udp" : "tcp"),10.0.0.\(s),"
                       + "10.0.1.\(d),\(ns),\(ns.isEmpty ? "" : "svc\(s)"),ns\(d % 3),db\(d),\([53, 80, 443][d % 3]),"
                       + "\(40000 + i),\(i % 9 == 0 ? "denied" : "allowed"),egress,node\(i % 4),\(1 + i % 8),"
                       + "\(i % 18 == 0 ? "policy-x" : ""),\(i % 4 == 0 ? "app=svc\(s);tier=web" : ""),"
                       + "\(i % 7 == 0 ? "false" : "")")
        }
        return out
    }

    static let cellPool = ["", " ", "-", "0080", "+80", "-1", "70000", "abc", "6", "tcp", "TCP", "icmp", "\"quoted\"",
                           "\"a,b\"", " padded ", "ünï", "10.0.0.01", "::ffff:10.0.0.1", "999.1.1.1", "Bad_Name",
                           "2019-12-31T23:24:17Z", "1577834657.5", "0", "DENIED", "audit", "in", "yes", "maybe",
                           "app=a;bad key=v", "\u{00A0}x", "1e3"]

    static func mutateCSV(_ line: String, _ rng: inout RNG) -> String {
        var t = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let k = Int(rng.next() % UInt64(t.count))
        switch rng.next() % 5 {
        case 0, 1, 2: t[k] = pick(cellPool, &rng)
        case 3: t.remove(at: k)
        default: t.insert(pick(cellPool, &rng), at: k)
        }
        return t.joined(separator: ",")
    }

    @Test("generic CSV: benchmark-like lines and mutations read the same both ways")
    func csv() {
        var slowReader = FlowRecordReader(syntax: .csv)
        slowReader.fastPath = false
        var rng = RNG(state: 21)
        let base = Self.csvLines(300)
        var mutated = [Self.csvHeader]
        for _ in 0..<8 { for l in base { mutated.append(Self.mutateCSV(l, &rng)) } }
        for (what, lines) in [("benchmark-like", [Self.csvHeader] + base), ("mutated", mutated)] {
            let fast = Self.run(FlowRecordReader(syntax: .csv), lines), slow = Self.run(slowReader, lines)
            Self.assertSame(fast, slow, lines, "csv \(what)")
            #expect(fast.counts.accepted > 0, "csv \(what) accepts something")
        }
    }

    static func jsonlLines(_ n: Int) -> [String] {
        let csv = csvLines(n)
        let names = csvHeader.split(separator: ",").map(String.init)
        return csv.map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var members: [(String, JSONValue)] = []
            for (k, v) in zip(names, cells) where !v.isEmpty {
                if ["time", "end_time", "dst_port", "src_port", "count"].contains(k) {
                    members.append((k, .number(v)))
                } else if k == "is_reply" {
                    members.append((k, .bool(v == "true")))
                } else {
                    members.append((k, .string(v)))
                }
            }
            var out = ""
            var rng = RNG(state: 1)
            JSONDifferentialTests.write(.object(members), .init(), &rng, into: &out)
            return out
        }
    }

    @Test("generic JSON lines: benchmark-like lines and mutations read the same both ways")
    func jsonl() {
        var slowReader = FlowRecordReader(syntax: .jsonl)
        slowReader.fastPath = false
        let base = Self.jsonlLines(300)
        for (what, lines) in [("benchmark-like", base), ("mutated", Self.mutated(base, rounds: 6, seed: 17))] {
            let fast = Self.run(FlowRecordReader(syntax: .jsonl), lines), slow = Self.run(slowReader, lines)
            Self.assertSame(fast, slow, lines, "jsonl \(what)")
            #expect(fast.counts.accepted > 0, "jsonl \(what) accepts something")
        }
    }

    @Test("generic reader: slot(_:) is the position in Field.allCases")
    func slots() {
        for (i, f) in FlowRecordReader.Field.allCases.enumerated() { #expect(FlowRecordReader.slot(f) == i) }
    }
}
