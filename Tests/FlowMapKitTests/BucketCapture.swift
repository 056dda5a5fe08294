import Foundation
import FlowMapKit
import FlowModel
import TestSupport
import Testing

/// Generic-format captures over hours, for the bucketed store (issue 17): EvidenceStoreTests, and through
/// OracleTests/Support the export schema test. Module helpers only, so OracleTests can link this file.
enum BucketCapture {
    static let header = "time,src_namespace,src_workload,src_labels,dst_namespace,dst_workload,dst_labels,dst_ip,proto,"
        + "dst_port,src_port,verdict,drop_reason,direction,observer,count"

    /// One generic-format flow record.
    struct Row {
        var time: String
        var src: String, dst: String, port: Int
        var count: Int64
        var verdict = "allowed"
        var observer = "node-a"
        var srcLabels = ""
        var ns: Int64 { Timestamp.parseRFC3339(time)! }
        var line: String {
            let labels = srcLabels.isEmpty ? "app=\(src)" : srcLabels
            let reason = verdict == "denied" ? "POLICY_DENIED" : ""
            return "\(time),shop,\(src),\(labels),shop,\(dst),app=\(dst),,tcp,\(port),40000,\(verdict),\(reason),"
                + "egress,\(observer),\(count)"
        }
        var edge: String { "\(src)->\(dst):\(port)/\(verdict)" }
    }

    static func file(_ rows: [Row], _ name: String, in dir: URL) -> String {
        let f = dir.appendingPathComponent(name)
        try! (([header] + rows.map(\.line)).joined(separator: "\n") + "\n").write(to: f, atomically: true, encoding: .utf8)
        return f.path
    }

    static func ingest(_ paths: [String], db: String, bucket: Int64? = nil) throws -> Ingest.Report {
        var o = Ingest.Options(db: db)
        o.bucketWidth = bucket
        var issues: [InputIssue] = []
        let r = try Ingest.run(paths: paths, options: o) { issues.append($0) }
        #expect(issues.isEmpty, "\(issues)")
        #expect(r.failures.isEmpty, "\(r.failures)")
        return r
    }

    /// Two captures sharing edges and buckets: the same edge at another observation point (the busiest counts)
    /// and at the same one (counts add), earlier first-seen times, and a label set only A saw.
    static func twoCaptures(in dir: URL) -> (a: String, b: String) {
        let a = file([
            Row(time: "2024-05-01T10:05:00Z", src: "web", dst: "api", port: 8080, count: 7, observer: "node-a",
                srcLabels: "app=web;track=canary"),
            Row(time: "2024-05-01T10:06:00Z", src: "api", dst: "db", port: 5432, count: 4),
            Row(time: "2024-05-01T11:10:00Z", src: "web", dst: "db", port: 5432, count: 2, verdict: "denied"),
            Row(time: "2024-05-01T12:00:00Z", src: "web", dst: "cache", port: 6379, count: 9),
        ], "a.csv", in: dir)
        let b = file([
            Row(time: "2024-05-01T10:20:00Z", src: "web", dst: "api", port: 8080, count: 5, observer: "node-b"),
            Row(time: "2024-05-01T10:30:00Z", src: "api", dst: "db", port: 5432, count: 3),
            Row(time: "2024-05-01T11:20:00Z", src: "web", dst: "db", port: 5432, count: 1, verdict: "denied"),
        ], "b.csv", in: dir)
        return (a, b)
    }

    static let httpSample = Repository.url("samples/hubble/hubble-otel/basic-sample-348-http-flows.json").path
    static let dnsSample = Repository.url("samples/hubble/hubble-otel/basic-sample-330-dns-flows.json").path
}
