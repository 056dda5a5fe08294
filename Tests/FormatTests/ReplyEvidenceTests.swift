import Foundation
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// Issue 14: replies decided from evidence through the whole ingest (format readers, inventory, aggregator).
@Suite("Replies from evidence: generic CSV and an inventory's declared ports")
struct ReplyEvidenceTests {
    @Test("Kafka 9092 in generic CSV without is_reply: the broker's answers to the client port are no rule")
    func kafka() throws {
        let text = """
            time,src_namespace,src_workload,dst_namespace,dst_workload,proto,src_port,dst_port
            2024-05-01T10:00:00Z,shop,app,data,kafka,tcp,40000,9092
            2024-05-01T10:00:01Z,data,kafka,shop,app,tcp,9092,40000

            """
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([Support.file("k.csv", text)], db: db)
        #expect(issues.isEmpty, "\(issues)")
        #expect(try Support.edgeLines(db) == ["shop/app[Deployment] -> data/kafka[Deployment] TCP/9092 allowed 1"])
        #expect(r.total.unoriented.keys.sorted()
                == ["data/kafka[Deployment]:9092 -> shop/app[Deployment]:40000 TCP: no edge (ephemeral port)"])
    }

    @Test("iperf 5001 declared as a containerPort: answers from it are replies even to a low client port")
    func declaredPort() throws {
        func pod(_ name: String, _ ip: String, ports: String) -> String {
            """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "\(name)", "namespace": "perf", "uid": "u-\(name)", "labels": {"app": "\(name)"},
                          "creationTimestamp": "2024-01-01T00:00:00Z"},
             "spec": {"containers": [{"name": "c", "image": "x"\(ports)}], "nodeName": "n1"},
             "status": {"phase": "Running", "podIP": "\(ip)", "podIPs": [{"ip": "\(ip)"}],
                        "startTime": "2024-01-01T00:00:00Z"}}
            """
        }
        let inventory = """
            {"apiVersion": "v1", "kind": "List", "items": [
            \(pod("iperf", "10.0.1.5", ports: #", "ports": [{"containerPort": 5001, "protocol": "TCP"}]"#)),
            \(pod("client", "10.0.1.6", ports: ""))
            ]}
            """
        // A client port below the ephemeral range: only the declared port tells the answer from a request.
        let flows = """
            time,src_ip,dst_ip,proto,src_port,dst_port
            2024-05-01T10:00:00Z,10.0.1.5,10.0.1.6,tcp,5001,20000
            2024-05-01T10:00:00Z,10.0.1.6,10.0.1.5,tcp,20000,5001

            """
        let dir = Support.tempDir()
        let db = Support.newDB()
        let (_, issues) = try Support.ingest([Support.file("inv.json", inventory, in: dir),
                                              Support.file("f.csv", flows, in: dir)], db: db)
        #expect(issues.isEmpty, "\(issues)")
        #expect(try Support.edgeLines(db) == ["perf/client[Pod] -> perf/iperf[Pod] TCP/5001 allowed 1"])
    }

    /// File A shows the broker's port opened (`is_reply: false`); file B holds only the broker's answers, to a
    /// client port below the ephemeral range that nothing in B tells from a request.
    static let opening = """
        time,src_namespace,src_workload,dst_namespace,dst_workload,proto,src_port,dst_port,is_reply
        2024-05-01T10:00:00Z,shop,app,data,kafka,tcp,20000,9092,false

        """
    static let answers = """
        time,src_namespace,src_workload,dst_namespace,dst_workload,proto,src_port,dst_port
        2024-05-01T10:00:01Z,data,kafka,shop,app,tcp,9092,20000
        2024-05-01T10:05:01Z,data,kafka,shop,app,tcp,9092,20001

        """

    @Test("listening ports are kept across ingests: two files ingested separately give the plan of one file with both",
          arguments: ["separate ingests", "one ingest of both files"])
    func listeningAcrossIngests(_ mode: String) throws {
        let both = """
            time,src_namespace,src_workload,dst_namespace,dst_workload,proto,src_port,dst_port,is_reply
            2024-05-01T10:00:00Z,shop,app,data,kafka,tcp,20000,9092,false
            2024-05-01T10:00:01Z,data,kafka,shop,app,tcp,9092,20000,
            2024-05-01T10:05:01Z,data,kafka,shop,app,tcp,9092,20001,

            """
        let one = Support.newDB()
        try Support.ingest([Support.file("both.csv", both)], db: one)
        let two = Support.newDB()
        let a = Support.file("a.csv", Self.opening), b = Support.file("b.csv", Self.answers)
        if mode == "separate ingests" {
            try Support.ingest([a], db: two)
            try Support.ingest([b], db: two)
        } else {
            try Support.ingest([a, b], db: two)
        }
        let expected = ["shop/app[Deployment] -> data/kafka[Deployment] TCP/9092 allowed 1"]
        #expect(try Support.edgeLines(one) == expected)
        #expect(try Support.edgeLines(two) == expected)  // no kafka -> app TCP/20000 "request"
        let kafka = ListeningPort(endpoint: .workload("data", "kafka", kind: "Deployment"), proto: .tcp, port: 9092)
        #expect(try FlowStore(path: two).listeningPorts() == [kafka: 1])
        #expect(try Support.generate(one) == Support.generate(two))
    }
}
