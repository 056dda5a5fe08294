import Foundation
import FlowMapKit
import FlowModel
import TestSupport
import Testing

/// Generic CSV captures for `generate` tests: one record per line after `header`. Module helpers only (no
/// FlowMapKitTests' `TestSupport` enum), so OracleTests/Support can link this file.
enum CSVCapture {
    static let header = "time,src_namespace,src_workload,src_labels,dst_namespace,dst_workload,dst_labels,dst_ip,proto,"
        + "dst_port,src_port,verdict,direction,count"

    /// A store in a fresh temp dir holding `records`; returns the store path and the dir.
    static func store(_ records: [String], name: String = "f.csv") throws -> (db: String, dir: URL) {
        let dir = Temporary.directory("flowmap-test")
        let db = dir.appendingPathComponent("s.db").path
        try ingest(records, into: db, dir: dir, name: name)
        return (db, dir)
    }

    static func ingest(_ records: [String], into db: String, dir: URL, name: String) throws {
        let f = dir.appendingPathComponent(name)
        try ([header] + records).joined(separator: "\n").appending("\n").write(to: f, atomically: true, encoding: .utf8)
        var issues: [InputIssue] = []
        _ = try Ingest.run(paths: [f.path], options: Ingest.Options(db: db)) { issues.append($0) }
        #expect(issues.isEmpty, "\(issues)")
    }

    /// shop/web -> shop/api TCP 8080 and shop/api -> data/db TCP 5432 on `day` (2024-05-DD), `n` flows each:
    /// every workload labelled, so the generated set passes its self-check.
    static func clean(day: Int = 1, n: Int = 20) -> [String] {
        let t = String(format: "2024-05-%02dT10:00:00Z", day), t2 = String(format: "2024-05-%02dT18:00:00Z", day)
        return [
            "\(t),shop,web,app=web,shop,api,app=api,,tcp,8080,40000,allowed,egress,\(n)",
            "\(t2),shop,web,app=web,shop,api,app=api,,tcp,8080,40001,allowed,egress,\(n)",
            "\(t),shop,api,app=api,data,db,app=db,,tcp,5432,40002,allowed,egress,\(n)",
            "\(t2),shop,api,app=api,kube-system,coredns,k8s-app=kube-dns,,udp,53,40003,allowed,egress,\(n)",
            "\(t2),shop,api,app=api,,,,93.184.216.34,tcp,443,40004,allowed,egress,\(n)",
        ]
    }

    /// The clean capture plus shop/batch, whose only egress was observed denied: no allow policy isolates its
    /// egress, so only a cluster-baseline object can keep that denial (`generate --cluster-baseline`).
    static let deniedEgressOnly = clean() + [
        "2024-05-01T11:00:00Z,shop,batch,app=batch,,,,198.51.100.7,tcp,443,40010,denied,egress,3",
    ]

    /// The error `Generate.run(o)` throws, as text; nil when it succeeds.
    static func failure(_ o: Generate.Options) -> String? {
        do {
            _ = try Generate.run(o)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Relative path -> text of every file under `dir`.
    static func files(_ dir: String) -> [String: String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [:] }
        var out = [String: String]()
        for case let rel as String in e {
            var isDir: ObjCBool = false
            let p = dir + "/" + rel
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try? String(contentsOfFile: p, encoding: .utf8)
            }
        }
        return out
    }
}
