import Foundation
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

#if canImport(Glibc)
import Glibc
#endif

/// Issue 12 (reader half): hostile or unusual input through `Ingest.run` and `Generate.run`, every reader.
@Suite("Hostile input: addresses, names, counts, times, streams, duplicate keys")
struct HostileInputTests {
    static let header = "time,src_namespace,src_workload,src_ip,dst_namespace,dst_workload,dst_ip,proto,dst_port,count"

    /// A generic CSV row from an external address to shop/api on TCP 8080.
    static func row(src: String, count: Int64 = 1, time: String = "1700000000") -> String {
        "\(time),,,\"\(src)\",shop,api,,tcp,8080,\(count)"
    }

    static func hubble(srcNS: String = "shop", srcIP: String = "10.0.0.1", dstIP: String = "10.0.0.2",
                       verdict: String = "\"verdict\":\"FORWARDED\"", direction: String = "EGRESS",
                       point: String = "TO_STACK") -> String {
        """
        {"flow":{"time":"2024-05-01T10:00:00Z",\(verdict),"IP":{"source":"\(srcIP)","destination":"\(dstIP)"},\
        "l4":{"TCP":{"source_port":40000,"destination_port":80,"flags":{"SYN":true}}},\
        "source":{"namespace":"\(srcNS)","pod_name":"web-7d4b9c8f6d-x7k2p","labels":["k8s:app=web"]},\
        "destination":{"namespace":"shop","pod_name":"api-7d4b9c8f6d-x7k2p","labels":["k8s:app=api"]},\
        "is_reply":false,"traffic_direction":"\(direction)","trace_observation_point":"\(point)"}}
        """
    }

    static func calico(sourceIP: String = "198.51.100.7", action: String = "\"action\":\"allow\"",
                       numFlows: String = "5", start: String = "1700000000", srcNS: String = "shop") -> String {
        """
        {"start_time":\(start),"end_time":1700000300,"source_ip":"\(sourceIP)","source_name":"-",\
        "source_name_aggr":"pub","source_namespace":"-","source_type":"net","dest_ip":null,"dest_name":"-",\
        "dest_name_aggr":"api-5f6d7c8b9d-*","dest_namespace":"\(srcNS)","dest_port":8080,"dest_type":"wep",\
        "dest_labels":{"labels":["app=api"]},"proto":"tcp",\(action),"reporter":"dst","num_flows":\(numFlows)}
        """
    }

    // MARK: 1. Addresses

    @Test("an address field that is not one host address is rejected with file, line and field, in every reader")
    func notOneHost() throws {
        let bad = ["0.0.0.0/0", "hello world", "10.0.0.1/32", "01.2.3.4", "0.0.0.0", "::", "1.2.3", "fe80::1%",
                   "1.2.3.4%eth0", "2001:db8::1::2", ""]
        let csv = Support.file("a.csv", ([Self.header] + bad.filter { !$0.isEmpty }.map { Self.row(src: $0) })
                                .joined(separator: "\n") + "\n")
        let (r, issues) = try Support.ingest([csv], db: Support.newDB())
        #expect(r.total.accepted == 0)
        #expect(issues.map(\.line) == Array(2...bad.count), "\(issues)")
        #expect(issues.allSatisfy { $0.description.hasPrefix("\(csv):") && $0.field == "src_ip" }, "\(issues)")
        #expect(issues[0].description.contains("a CIDR prefix, not one host address"), "\(issues[0])")

        let hub = Support.file("h.json", [Self.hubble(srcIP: "0.0.0.0/0"), Self.hubble(dstIP: "hello world")]
                                .joined(separator: "\n") + "\n")
        let (_, hi) = try Support.ingest([hub], db: Support.newDB())
        #expect(hi.map(\.field) == ["flow.IP.source", "flow.IP.destination"], "\(hi)")

        let cal = Support.file("c.log", Self.calico(sourceIP: "0.0.0.0/0") + "\n")
        let (_, ci) = try Support.ingest([cal], db: Support.newDB(), format: .calico)
        #expect(ci.map(\.field) == ["source_ip"], "\(ci)")

        let vpc = Support.file("v.log", "2 123456789010 eni-1235b8ca123456789 1.2.3.4/0 172.31.9.12 49761 3389 6 20 4249 "
                                + "1418530010 1418530070 ACCEPT OK\n")
        let (_, vi) = try Support.ingest([vpc], db: Support.newDB(), format: .vpc)
        #expect(vi.map(\.field) == ["srcaddr"], "\(vi)")

        let inv = Support.file("inv.json", """
            {"kind":"List","items":[{"kind":"Pod","metadata":{"name":"web-1","namespace":"shop"},
             "status":{"podIP":"0.0.0.0/0"}},{"kind":"Pod","metadata":{"name":"web-2","namespace":"shop"},
             "status":{"podIP":"10.0.0.9"}}]}
            """)
        let (ir, ii) = try Support.ingest([inv], db: Support.newDB(), format: .inventory)
        #expect(ii.map(\.field) == ["items[0].status.podIP"], "\(ii)")
        #expect(ir.files.first?.counts.accepted == 1)
    }

    @Test("spellings of one address are one canonical peer: case, IPv4-mapped IPv6, zone ids")
    func canonicalSpellings() throws {
        let spellings = ["2001:DB8::1", "2001:db8:0:0:0:0:0:1", "2001:0db8::0001", "fe80::1%eth0", "FE80::1",
                         "::ffff:198.51.100.7", "::FFFF:c633:6407", "0:0:0:0:0:ffff:198.51.100.7"]
        let csv = Support.file("s.csv", ([Self.header] + spellings.map { Self.row(src: $0) }).joined(separator: "\n") + "\n")
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([csv], db: db)
        #expect(issues.isEmpty, "\(issues)")
        #expect(r.total.accepted == Int64(spellings.count))
        let peers = Set(try Support.edgeLines(db).map { $0.components(separatedBy: " -> ")[0] })
        #expect(peers == ["198.51.100.7", "2001:db8::1", "fe80::1"], "\(peers)")
    }

    @Test("16 spellings of one address or 16 garbage strings never trigger the internet-facing 0.0.0.0/0 rule")
    func noInternetCollapse() throws {
        // Leading zeros, octal-looking and hex-looking forms: each would be a distinct "public address" if kept.
        var spellings = ["1.2.3.4"]
        for i in 1...15 { spellings.append(["0", "00", "000"][i % 3] + "1.2.3." + String(4 + i % 2)) }
        let garbage = (0..<16).map { "garbage \($0)" }
        for sources in [spellings, garbage] {
            let csv = Support.file("i.csv", ([Self.header] + sources.map { Self.row(src: $0) }).joined(separator: "\n") + "\n")
            let db = Support.newDB()
            try Support.ingest([csv], db: db)
            // Every garbage record is rejected: generate refuses a store without flows (issue 14), writing nothing.
            let files: [String: String]
            do { files = try Support.generate(db) } catch {
                #expect("\(error)".contains("holds no flows"), "\(error)")
                continue
            }
            let yaml = files.values.joined()
            #expect(!yaml.contains("0.0.0.0/0") && !yaml.contains("::/0"), "\(yaml)")
            #expect(!yaml.contains("garbage"))
        }
    }

    // MARK: 2. Names

    @Test("a NUL or control character in a namespace never truncates: kube-system\\u0000-sandbox gives no kube-system policy")
    func nulNamespace() throws {
        let jsonl = Support.file("n.jsonl", """
            {"time":1700000000,"src_namespace":"kube-system\\u0000-sandbox","src_workload":"evil","dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":8080}
            {"time":1700000000,"src_namespace":"shop","src_workload":"web\\u0007","dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":8080}
            {"time":1700000000,"src_namespace":"shop","src_workload":"web","src_labels":{"app\\n":"web"},"dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":8080}
            {"time":1700000000,"src_namespace":"Shop","src_workload":"web","dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":8080}

            """)
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([jsonl], db: db)
        #expect(r.total.accepted == 0)
        #expect(issues.map(\.field) == ["src_namespace", "src_workload", "src_labels", "src_namespace"], "\(issues)")
        #expect(issues[0].message.contains("kube-system\\u0000-sandbox"), "\(issues[0])")
        let hub = Support.file("h.json", Self.hubble(srcNS: "kube-system\\u0000-sandbox") + "\n")
        let (_, hi) = try Support.ingest([hub], db: db)
        #expect(hi.map(\.field) == ["flow.source.namespace"], "\(hi)")
        let cal = Support.file("c.log", Self.calico(srcNS: "kube-system\\u0000-sandbox") + "\n")
        let (_, ci) = try Support.ingest([cal], db: db, format: .calico)
        #expect(ci.map(\.field) == ["dest_namespace"], "\(ci)")
        // Nothing was accepted: generate refuses the store without flows (issue 14), so no policy at all.
        var files: [String: String] = [:]
        do { files = try Support.generate(db) } catch { #expect("\(error)".contains("holds no flows"), "\(error)") }
        #expect(!files.values.joined().contains("kube-system"), "\(files.keys.sorted())")
    }

    // MARK: 3. Counts

    @Test("counts summing past Int64.max saturate instead of crashing (generic count, Calico num_flows)")
    func countOverflow() throws {
        let big = Int64.max
        let csv = Support.file("c.csv", [Self.header, Self.row(src: "198.51.100.7", count: big),
                                         Self.row(src: "198.51.100.7", count: big)].joined(separator: "\n") + "\n")
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([csv], db: db)
        #expect(issues.isEmpty && r.total.accepted == 2, "\(issues)")
        let lines = try Support.edgeLines(db)
        #expect(lines == ["198.51.100.7 -> shop/api[Deployment] TCP/8080 allowed \(big)"], "\(lines)")
        let cal = Support.file("c.log", [Self.calico(numFlows: "\(big)"), Self.calico(numFlows: "5000000000000000000")]
                                .joined(separator: "\n") + "\n")
        let db2 = Support.newDB()
        let (r2, i2) = try Support.ingest([cal], db: db2, format: .calico)
        #expect(i2.isEmpty && r2.total.accepted == 2, "\(i2)")
        let lines2 = try Support.edgeLines(db2)
        #expect(lines2.count == 1 && lines2[0].hasSuffix(" \(big)"), "\(lines2)")
    }

    // MARK: 4. Times

    @Test("RFC 3339 with 10+ fractional digits reads; Unix seconds past 2262 are a located error, not a crash")
    func times() throws {
        let csv = Support.file("t.csv", [Self.header, Self.row(src: "198.51.100.7", time: "2024-05-01T10:00:00.1234567891234Z"),
                                         Self.row(src: "198.51.100.7", time: "9223372037"),
                                         Self.row(src: "198.51.100.7", time: "99999999999")].joined(separator: "\n") + "\n")
        let (r, issues) = try Support.ingest([csv], db: Support.newDB())
        #expect(r.total.accepted == 1)
        #expect(issues.map(\.line) == [3, 4] && issues.allSatisfy { $0.field == "time" }, "\(issues)")
        let cal = Support.file("t.log", Self.calico(start: "9300000000") + "\n")
        let (_, ci) = try Support.ingest([cal], db: Support.newDB(), format: .calico)
        #expect(ci.map(\.field) == ["start_time"], "\(ci)")
        let hub = Support.file("t.json", Self.hubble().replacingOccurrences(of: "10:00:00Z", with: "10:00:00.000000000001Z") + "\n")
        let (hr, hi) = try Support.ingest([hub], db: Support.newDB())
        #expect(hi.isEmpty && hr.total.accepted == 1, "\(hi)")
    }

    // MARK: 5. Streams

    /// Sample flows as JSON lines (Hubble), for the stream tests.
    static let streamText = [hubble(), hubble(srcIP: "10.0.0.3")].joined(separator: "\n") + "\n"

    @Test("a named FIFO is read once, as a stream: no hang, every line stored")
    func fifo() throws {
        let path = Support.tempDir().appendingPathComponent("flows.fifo").path
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            var t = Self.streamText
            t.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([path], db: db)
        #expect(issues.isEmpty && r.failures.isEmpty, "\(issues) \(r.failures)")
        #expect(r.total.accepted == 2 && r.files.first?.format == .hubble, "\(r.total)")
    }

    @Test("a pipe path (/dev/fd/N, as <(…) passes) is read once: every line stored")
    func pipePath() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let w = fds[1]
        let writer = Thread {
            var t = Self.streamText
            t.withUTF8 { _ = write(w, $0.baseAddress, $0.count) }
            close(w)
        }
        writer.start()
        defer { close(fds[0]) }
        let db = Support.newDB()
        let (r, issues) = try Support.ingest(["/dev/fd/\(fds[0])"], db: db)
        #expect(issues.isEmpty && r.failures.isEmpty, "\(issues) \(r.failures)")
        #expect(r.total.accepted == 2, "\(r.total)")
    }

    // MARK: 9. Observation points across files

    @Test("one capture per node (egress on one, ingress on the other) counts once across files and ingests")
    func splitObservationPoints() throws {
        let dir = Support.tempDir()
        let egress = Support.file("node1.json", Array(repeating: Self.hubble(), count: 3).joined(separator: "\n") + "\n", in: dir)
        let ingress = Support.file("node2.json", Array(repeating: Self.hubble(direction: "INGRESS", point: "TO_ENDPOINT"),
                                                       count: 3).joined(separator: "\n") + "\n", in: dir)
        let later = Support.file("node1-later.json", Array(repeating: Self.hubble(), count: 2).joined(separator: "\n")
                                 + "\n" + "\n", in: dir)
        let together = Support.newDB()
        try Support.ingest([egress, ingress], db: together)
        let t = try Support.edgeLines(together)
        #expect(t == ["shop/web[Deployment] -> shop/api[Deployment] TCP/80 allowed 3"], "\(t)")
        let apart = Support.newDB()
        try Support.ingest([egress], db: apart)
        try Support.ingest([ingress], db: apart)
        #expect(try Support.edgeLines(apart) == ["shop/web[Deployment] -> shop/api[Deployment] TCP/80 allowed 3"])
        // A later capture of the same point adds to it: the busiest point now has 5.
        try Support.ingest([later], db: apart)
        #expect(try Support.edgeLines(apart) == ["shop/web[Deployment] -> shop/api[Deployment] TCP/80 allowed 5"])
    }

    // MARK: 7. Duplicate keys

    @Test("a duplicate key (DROPPED then FORWARDED) rejects the record with the key named, in every JSON reader")
    func duplicateKeys() throws {
        let hub = Support.file("d.json", Self.hubble(verdict: "\"verdict\":\"DROPPED\",\"verdict\":\"FORWARDED\"") + "\n"
                                + Self.hubble().replacingOccurrences(of: "\"namespace\":\"shop\"", with: "\"namespace\":\"shop\",\"namespace\":\"kube-system\"") + "\n")
        let db = Support.newDB()
        let (r, hi) = try Support.ingest([hub], db: db)
        #expect(r.total.accepted == 0)
        #expect(hi.map(\.field) == ["flow.verdict", "flow.source.namespace"], "\(hi)")
        let cal = Support.file("d.log", Self.calico(action: "\"action\":\"deny\",\"action\":\"allow\"") + "\n")
        let (_, ci) = try Support.ingest([cal], db: db, format: .calico)
        #expect(ci.map(\.field) == ["action"], "\(ci)")
        let jl = Support.file("d.jsonl", """
            {"time":1700000000,"src_ip":"198.51.100.7","dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":8080,"verdict":"denied","verdict":"allowed"}

            """)
        let (_, ji) = try Support.ingest([jl], db: db)
        #expect(ji.map(\.field) == ["verdict"], "\(ji)")
        let inv = Support.file("d-inv.json", """
            {"kind":"List","items":[{"kind":"Pod","metadata":{"name":"web-1","namespace":"shop","namespace":"kube-system"}},
             {"kind":"Pod","metadata":{"name":"web-2","namespace":"shop"}}]}
            """)
        let (ir, ii) = try Support.ingest([inv], db: db, format: .inventory)
        #expect(ii.map(\.field) == ["items[0].metadata.namespace"], "\(ii)")
        #expect(ir.files.first?.counts.accepted == 1)
        #expect(try Support.edgeLines(db).isEmpty)
    }

    @Test("a duplicate key inside Hubble's l4 or l7 (destination_port 80 then 443) rejects the record with the key named")
    func nestedDuplicateKeys() throws {
        let base = Self.hubble()
        let cases: [(String, String)] = [
            ("\"destination_port\":80", "\"destination_port\":80,\"destination_port\":443"),
            ("\"source_port\":40000", "\"source_port\":40000,\"source_port\":1"),
            ("\"flags\":{\"SYN\":true}", "\"flags\":{\"SYN\":true},\"flags\":{\"ACK\":true}"),
            ("\"l4\":{\"TCP\":{", "\"l4\":{\"TCP\":{\"destination_port\":443},\"TCP\":{"),
            ("\"l4\":{\"TCP\":{", "\"l4\":{\"UDP\":{\"destination_port\":53},\"TCP\":{"),
            ("\"is_reply\":false", "\"is_reply\":false,\"l7\":{\"type\":\"REQUEST\",\"http\":{\"method\":\"GET\",\"method\":\"DELETE\",\"url\":\"http://api/\"}}"),
            ("\"is_reply\":false", "\"is_reply\":false,\"l7\":{\"type\":\"REQUEST\",\"http\":{\"method\":\"GET\",\"url\":\"http://api/\",\"url\":\"http://api/admin\"}}"),
            ("\"is_reply\":false", "\"is_reply\":false,\"l7\":{\"type\":\"REQUEST\",\"type\":\"RESPONSE\",\"dns\":{\"query\":\"a.example.\"}}"),
            ("\"is_reply\":false", "\"is_reply\":false,\"l7\":{\"dns\":{\"query\":\"a.example.\",\"query\":\"b.example.\"}}"),
            ("\"is_reply\":false", "\"is_reply\":false,\"l7\":{\"dns\":{\"query\":\"a.example.\"},\"dns\":{\"query\":\"b.example.\"}}"),
        ]
        var text = ""
        for (from, to) in cases {
            let line = base.replacingOccurrences(of: from, with: to)
            #expect(line != base, "\(from) not in the fixture line")
            text += line + "\n"
        }
        let (r, issues) = try Support.ingest([Support.file("l4l7.json", text)], db: Support.newDB())
        #expect(r.total.accepted == 0)
        #expect(issues.map(\.field) == ["flow.l4.TCP.destination_port", "flow.l4.TCP.source_port", "flow.l4.TCP.flags",
                                        "flow.l4.TCP", "flow.l4.TCP", "flow.l7.http.method", "flow.l7.http.url",
                                        "flow.l7.type", "flow.l7.dns.query", "flow.l7.dns"], "\(issues)")
        #expect(issues.filter { $0.message.hasPrefix("key given twice") }.count == 9, "\(issues)")
        // The line without a duplicate still reads.
        let (ok, none) = try Support.ingest([Support.file("ok.json", base + "\n")], db: Support.newDB())
        #expect(ok.total.accepted == 1 && none.isEmpty, "\(none)")
    }

    @Test("an inventory document over the size bound is refused with the file and the bound named, file or stream")
    func inventorySizeBound() throws {
        let doc = #"{"kind":"List","items":[{"kind":"Namespace","metadata":{"name":"shop"}}]}"#
        let path = Support.file("big-inv.json", doc)
        #expect(try InventoryReader.load(path: path, limit: doc.utf8.count) == Data(doc.utf8))
        do {
            _ = try InventoryReader.load(path: path, limit: 16)
            Issue.record("a document over the bound was read")
        } catch let e as InventoryReader.Failure {
            #expect(e.description == "\(path): the inventory document is \(doc.utf8.count) bytes; at most 16 are read "
                    + "(pass only the namespaces, pods, services, endpointslices and nodes, or split it by namespace)")
        }
        // A stream (no size up front) stops after the bound + 1 bytes.
        let fifo = path + ".fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            guard let h = FileHandle(forWritingAtPath: fifo) else { return }
            h.write(Data(doc.utf8))  // one write, well under the pipe buffer
            try? h.close()
        }
        writer.start()
        #expect(throws: InventoryReader.Failure.self) { try InventoryReader.load(path: fifo, limit: 16) }
        #expect(InventoryReader.maxBytes == 1 << 30)
    }

    // MARK: 8. Types, BOM, NUL bytes

    @Test("dst_port true or 80.5 is rejected, never port 1 or 80")
    func booleanPort() throws {
        let jl = Support.file("p.jsonl", """
            {"time":1700000000,"src_ip":"198.51.100.7","dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":true}
            {"time":1700000000,"src_ip":"198.51.100.7","dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":80.5}
            {"time":1700000000,"src_ip":"198.51.100.7","dst_namespace":"shop","dst_workload":"api","proto":"tcp","dst_port":80,"count":true}

            """)
        let (r, issues) = try Support.ingest([jl], db: Support.newDB())
        #expect(r.total.accepted == 0)
        #expect(issues.map(\.field) == ["dst_port", "dst_port", "count"], "\(issues)")
        let cal = Support.file("p.log", Self.calico().replacingOccurrences(of: "\"dest_port\":8080", with: "\"dest_port\":true") + "\n")
        let (_, ci) = try Support.ingest([cal], db: Support.newDB(), format: .calico)
        #expect(ci.map(\.field) == ["dest_port"], "\(ci)")
    }

    @Test("a CSV with a UTF-8 byte order mark reads normally")
    func bom() throws {
        let csv = Support.file("b.csv", "\u{FEFF}" + [Self.header, Self.row(src: "198.51.100.7")].joined(separator: "\n") + "\n")
        let (r, issues) = try Support.ingest([csv], db: Support.newDB())
        #expect(issues.isEmpty && r.failures.isEmpty, "\(issues) \(r.failures)")
        #expect(r.total.accepted == 1 && r.files.first?.format == .flowmapCSV)
    }

    @Test("NUL bytes in a file's first 8 KB reject only their line; the good lines are kept")
    func nulBytes() throws {
        var data = Data(repeating: 0, count: 100)
        data.append(contentsOf: Array(("\n" + Self.streamText).utf8))
        let u = Support.tempDir().appendingPathComponent("nul.json")
        try data.write(to: u)
        let (r, issues) = try Support.ingest([u.path], db: Support.newDB(), format: .hubble)
        #expect(r.failures.isEmpty, "\(r.failures)")
        #expect(r.total.accepted == 2 && issues.map(\.line) == [1], "\(issues)")
    }
}
