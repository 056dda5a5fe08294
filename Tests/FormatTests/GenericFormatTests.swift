import Foundation
import Testing
@testable import FlowIngest
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

@Suite("Generic flow records (flowmap-csv, flowmap-jsonl)")
struct GenericFormatTests {
    static let header = "time,src_namespace,src_pod,src_labels,dst_namespace,dst_workload,dst_workload_kind,dst_labels,proto,dst_port,src_port,verdict,direction,count"

    @Test("CSV with a header: workloads by pod name or workload, labels, verdict, count, quoted cells")
    func csv() throws {
        let text = """
            \(Self.header)
            2024-05-01T10:00:00Z,shop,web-7d4b9c8f6d-x7k2p,"app=web,tier=frontend,pod-template-hash=7d4b9c8f6d",shop,api,Deployment,app=api;tier=backend,tcp,8080,40000,allowed,egress,3
            1714557700,shop,web-7d4b9c8f6d-x7k2p,app=web,shop,db,StatefulSet,app=db,TCP,5432,,denied,,1

            """
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([Support.file("f.csv", text)], db: db)
        #expect(issues.isEmpty, "\(issues)")
        #expect(r.files.first?.format == .flowmapCSV)
        #expect(r.total.skipped == 1)  // the header
        #expect(try Support.edgeLines(db) == [
            "shop/web[Deployment] -> shop/api[Deployment] TCP/8080 allowed 3",
            "shop/web[Deployment] -> shop/db[StatefulSet] TCP/5432 denied 1",
        ])
        let sets = try FlowStore(path: db).labelSets()
        #expect(sets[.workload("shop", "api", kind: "Deployment")] == [["app": "api", "tier": "backend"]])
        #expect(sets[.workload("shop", "web", kind: "Deployment")]?.contains(["app": "web", "tier": "frontend"]) == true)
    }

    @Test("a header with an unknown or missing required column is rejected before any row is read",
          arguments: [
            ("time,proto,dst_port,src_ip,dst_ip,colour", "colour", "unknown column"),
            ("time,proto,src_ip,dst_ip", "dst_port", "required column missing"),
            ("proto,dst_port,src_ip,dst_ip", "time", "required column missing"),
            ("time,proto,dst_port,dst_ip", "src_ip", "src_ip or src_namespace"),
            ("time,proto,dst_port,src_ip,dst_ip,proto", "proto", "column given twice"),
          ])
    func headerRejected(header: String, column: String, reason: String) throws {
        let path = Support.file("f.csv", header + "\n2024-05-01T10:00:00Z,tcp,80,10.0.0.1,10.0.0.2\n")
        let db = Support.newDB()
        for format in [InputFormat.auto, .flowmapCSV] {
            let (r, issues) = try Support.ingest([path], db: db, format: format)
            #expect(r.files.isEmpty)
            #expect(issues.isEmpty)
            #expect(r.failures.count == 1)
            let f = r.failures.first ?? ""
            #expect(f.hasPrefix("\(path):1: header: \(column): "), "\(f)")
            #expect(f.contains(reason), "\(f)")
            #expect(f.contains("nothing was read"))
        }
        #expect(try FlowStore(path: db).sources().isEmpty)
        #expect(try FlowStore(path: db).edges().isEmpty)
    }

    @Test("on a stream the header is checked first too: every row after a bad header is rejected, none read")
    func streamHeader() {
        var reader = FlowRecordReader(syntax: .csv)
        var agg = FlowAggregator()
        var results: [LineResult] = []
        for line in ["time,proto,colour", "2024-05-01T10:00:00Z,tcp,blue"] {
            var l = line
            results.append(l.withUTF8 { reader.read(line: UnsafeRawBufferPointer($0), into: &agg) })
        }
        #expect(results.count == 2)
        #expect(results.allSatisfy { if case .rejected = $0 { return true } else { return false } })
        #expect(agg.counts.accepted == 0)
    }

    @Test("JSON lines: labels as an object, unknown fields and bad values rejected by line")
    func jsonl() throws {
        let text = """
            {"time":"2024-05-01T10:00:00Z","src_namespace":"shop","src_pod":"web-7d4b9c8f6d-x7k2p","dst_ip":"93.184.216.34","proto":"tcp","dst_port":443,"src_labels":{"app":"web"}}
            {"time":"2024-05-01T10:00:01Z","src_ip":"10.0.0.1","dst_ip":"10.0.0.2","proto":"udp","dst_port":53,"is_reply":false,"colour":"blue"}
            {"time":"yesterday","src_ip":"10.0.0.1","dst_ip":"10.0.0.2","proto":"udp","dst_port":53}
            {"time":"2024-05-01T10:00:01Z","src_ip":"10.0.0.1","dst_ip":"10.0.0.2","proto":"udp"}
            {"time":"2024-05-01T10:00:01Z","src_ip":"10.0.0.1","dst_ip":"10.0.0.2","proto":"udp","dst_port":70000}

            """
        let db = Support.newDB()
        let path = Support.file("f.jsonl", text)
        let (r, issues) = try Support.ingest([path], db: db)
        #expect(r.files.first?.format == .flowmapJSONL)
        #expect(issues.map(\.line) == [2, 3, 4, 5])
        #expect(issues.map(\.field) == ["colour", "time", "dst_port", "dst_port"])
        #expect(try Support.edgeLines(db) == ["shop/web[Deployment] -> 93.184.216.34 TCP/443 allowed 1"])
        #expect(try FlowStore(path: db).labelSets()[.workload("shop", "web", kind: "Deployment")] == [["app": "web"]])
    }

    @Test("the schema file documents exactly the reader's fields and required ones")
    func schemaMatchesReader() throws {
        let url = Support.repoRoot.appendingPathComponent("schema/flow-record.schema.json")
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let props = try #require(obj?["properties"] as? [String: Any])
        #expect(Set(props.keys) == Set(FlowRecordReader.Field.allCases.map(\.rawValue)))
        #expect(Set(obj?["required"] as? [String] ?? []) == Set(FlowRecordReader.required.map(\.rawValue)))
        #expect(obj?["additionalProperties"] as? Bool == false)
    }
}

@Suite("Format detection and --format")
struct DetectionTests {
    static func detect(_ text: String) -> InputFormat? { FormatDetector.detect(prefix: Array(text.utf8))?.format }

    @Test("auto tells every format from its first lines")
    func detects() throws {
        #expect(Self.detect(#"{"flow":{"time":"2024-01-01T00:00:00Z"}}"#) == .hubble)
        #expect(Self.detect(#"{"node_status":{}}"#) == .hubble)
        #expect(Self.detect(CalicoTests.record(reporter: "src")) == .calico)
        #expect(Self.detect("{\n  \"start_time\": 1,\n  \"reporter\": \"src\"\n}\n") == .calico)
        #expect(Self.detect("2 123456789010 eni-1 10.0.0.1 10.0.0.2 40000 443 6 20 4249 1418530010 1418530070 ACCEPT OK\n") == .vpc)
        #expect(Self.detect("version account-id interface-id srcaddr dstaddr\n") == .vpc)
        #expect(Self.detect("\n\ntime,src_ip,dst_ip,proto,dst_port\n") == .flowmapCSV)
        #expect(Self.detect(#"{"time":"2024-05-01T10:00:00Z","src_ip":"1.1.1.1","dst_ip":"2.2.2.2","proto":"tcp","dst_port":1}"#) == .flowmapJSONL)
        #expect(Self.detect("{\n \"apiVersion\": \"v1\",\n \"kind\": \"List\",\n \"items\": []\n}\n") == .inventory)
        #expect(Self.detect(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}"#) == .inventory)
        #expect(Self.detect("hello world\n") == nil)
    }

    @Test("every shipped sample is detected as what it is")
    func samples() throws {
        let expected: [String: InputFormat] = [
            "calico/calico_felix_flows.log": .calico, "calico/flowmap-pretty-printed.json": .calico,
            "vpc/awsdocs_flow-logs-records-examples_codeblocks.txt": .vpc, "vpc/flowmap-v5-all-fields.log": .vpc,
            "vpc/flowmap-tgw-default.log": .vpc, "vpc/flowmap-v8-ecs.log": .vpc,
            "inventory/vpc-sample-cluster.json": .inventory,
            "hubble/hubble-otel/basic-sample-10-flows.json": .hubble,
            "hubble/tke-guide/exporter-cilium-1.19.1.jsonl": .hubble,
        ]
        for (rel, f) in expected {
            let (got, d) = try FormatChoice.resolve(.auto, path: Support.sample(rel))
            #expect(got == f, "\(rel)")
            #expect(d != nil)
        }
    }

    @Test("a wrong --format fails fast with a clear message, nothing written")
    func wrongFormat() throws {
        let db = Support.newDB()
        let calico = Support.sample("calico/calico_felix_flows.log")
        let (r, issues) = try Support.ingest([calico], db: db, format: .vpc)
        #expect(r.files.isEmpty)
        #expect(issues.isEmpty)
        #expect(r.failures == ["\(calico): --format vpc, but the first lines look like calico (JSON with Calico's "
                               + "\"reporter\"); pass --format calico or auto"])
        #expect(try FlowStore(path: db).sources().isEmpty)
        let (r2, _) = try Support.ingest([Support.file("x.txt", "hello world\n")], db: db)
        #expect(r2.failures.first?.contains("cannot tell the format") == true)
    }

    @Test("stdin-style auto: a pretty-printed first record is held until complete, then read as what it is")
    func autoReaderPretty() throws {
        let pretty = try String(contentsOfFile: Support.sample("calico/flowmap-pretty-printed.json"), encoding: .utf8)
        var reader = AutoReader(addressBook: nil)
        var agg = FlowAggregator()
        var results: [LineResult] = []
        for line in pretty.split(separator: "\n") {
            var l = String(line)
            results.append(l.withUTF8 { reader.read(line: UnsafeRawBufferPointer($0), into: &agg) })
        }
        #expect(reader.detection?.format == .calico)
        #expect(results.filter { $0 == .accepted }.count == 2)
        #expect(results.filter { $0 != .accepted && $0 != .pending }.isEmpty)
        #expect(reader.finish(into: &agg) == nil)
    }

    @Test("stdin-style auto: the first line decides, and the choice is reported")
    func autoReader() {
        var reader = AutoReader(addressBook: nil)
        var agg = FlowAggregator()
        var l = CalicoTests.record(reporter: "src")
        let r = l.withUTF8 { reader.read(line: UnsafeRawBufferPointer($0), into: &agg) }
        #expect(r == .accepted)
        #expect(reader.detection?.format == .calico)
    }
}
