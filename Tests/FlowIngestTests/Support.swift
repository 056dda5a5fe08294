import Foundation
import TestSupport
import Testing
@testable import FlowIngest
import FlowModel

/// Fixture locations (found from this file, not via SwiftPM resources) and small ingest helpers.
enum Fixtures {
    static let dir = Repository.fixtures("FlowIngestTests")
    static let repoRoot = Repository.root

    /// The real Hubble samples kept in the repository (samples/hubble, see SOURCES.md there).
    static var hubbleSamples: [URL] { Repository.hubbleSamples }

    static func url(_ name: String) -> URL { dir.appendingPathComponent(name) }

    static func lines(_ url: URL) -> [String] {
        (try! String(contentsOf: url, encoding: .utf8)).split(separator: "\n").map(String.init)
    }

    static func tempDir() -> URL { Temporary.directory("flowingest") }
}

/// Result of reading lines through a HubbleReader into one aggregator.
struct Ingested {
    var batch: IngestBatch
    var counts: IngestCounts
    var results: [LineResult]

    /// Edges by their endpoints' text keys, for compact assertions.
    func edge(_ src: String, _ dst: String, _ proto: Proto = .tcp, _ port: UInt16, _ outcome: Outcome = .allowed)
        -> EdgeStats? {
        batch.edges.first { k, _ in
            k.source.key == src && k.destination.key == dst && k.proto == proto && k.port == port
                && k.outcome == outcome
        }?.value
    }
}

func ingestLines(_ lines: [String], reader: HubbleReader = HubbleReader()) -> Ingested {
    var r = reader
    var agg = FlowAggregator()
    var results: [LineResult] = []
    for line in lines {
        var l = line
        let res = l.withUTF8 { r.read(line: UnsafeRawBufferPointer($0), into: &agg) }
        agg.countLine()
        switch res {
        case .accepted: break
        case .skipped: agg.countSkipped()
        case .rejected: agg.countRejected()
        case .pending: break  // Hubble records are one line each
        }
        results.append(res)
    }
    let (b, c) = agg.take()
    return Ingested(batch: b, counts: c, results: results)
}

func ingestLine(_ line: String) -> Ingested { ingestLines([line]) }

/// Runs the driver over a path and collects every chunk and issue.
func drive(_ path: String, driver: IngestDriver = IngestDriver(progress: .off)) throws
    -> (chunks: [IngestDriver.Chunk], issues: [InputIssue]) {
    var reader = HubbleReader()
    var chunks: [IngestDriver.Chunk] = []
    var issues: [InputIssue] = []
    try driver.run(path: path, reader: &reader, onIssue: { issues.append($0) }) { chunks.append($0) }
    return (chunks, issues)
}

/// A minimal Hubble flow line builder for targeted tests.
struct FlowLine {
    var verdict = "FORWARDED"
    var time = "2024-05-01T10:00:00.000000001Z"
    var src = #"{"namespace":"shop","labels":["k8s:app=web","k8s:io.cilium.k8s.namespace.labels.team=a"],"pod_name":"web-6d4cf56db6-abcde","workloads":[{"name":"web","kind":"Deployment"}]}"#
    var dst = #"{"namespace":"shop","labels":["k8s:app=db"],"pod_name":"db-0","workloads":[{"name":"db","kind":"StatefulSet"}]}"#
    var srcIP = "10.0.0.1"
    var dstIP = "10.0.0.2"
    var l4 = #"{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"SYN":true}}}"#
    var isReply: String? = "false"
    var direction = "EGRESS"
    var point = "TO_STACK"
    var extra = ""

    var json: String {
        var f = #"{"time":"\#(time)","verdict":"\#(verdict)","IP":{"source":"\#(srcIP)","destination":"\#(dstIP)","ipVersion":"\#(dstIP.contains(":") ? "IPv6" : "IPv4")"},"l4":\#(l4),"source":\#(src),"destination":\#(dst),"Type":"L3_L4","traffic_direction":"\#(direction)","trace_observation_point":"\#(point)""#
        if let r = isReply { f += #","is_reply":\#(r)"# }
        f += extra + "}"
        return #"{"flow":\#(f),"node_name":"n1","time":"\#(time)"}"#
    }
}
