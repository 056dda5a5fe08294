import Foundation
import FlowModel
import FlowStore

/// `flowmap export`: the store's evidence as one record per edge per bucket (schema/export.schema.json), for any
/// other tool. Records are sorted by source, destination, protocol, port, verdict, bucket.
public enum Export {
    public enum Format: String, Sendable, CaseIterable { case jsonl, csv }

    /// The columns (CSV header) and JSON keys, in this order.
    public static let columns = ["bucket", "bucket_seconds", "src_kind", "src_namespace", "src_name", "src_workload_kind",
                                 "dst_kind", "dst_namespace", "dst_name", "dst_workload_kind", "protocol", "port",
                                 "verdict", "flows", "first_seen", "last_seen", "drop_reasons", "src_node_addresses",
                                 "dst_node_addresses", "dst_services"]

    public static func run(db: String, format: Format, window: TimeWindow = .all) throws -> String {
        let store = try Generate.openExisting(db)
        let width = try store.bucketWidth
        let rows = try store.bucketedEdges(window: window)
        let addresses = try store.bucketedEdgeAddresses(window: window)
        var out = format == .csv ? columns.joined(separator: ",") + "\n" : ""
        for (k, s) in rows {
            let e = k.edge
            let reasons = s.dropReasons.sorted()
            let nodes = addresses[k] ?? EdgeAddresses()
            let values: [Any] = [
                time(k.bucket), width / 1_000_000_000, e.source.kind.rawValue, e.source.namespace, e.source.name,
                e.source.workloadKind, e.destination.kind.rawValue, e.destination.namespace, e.destination.name,
                e.destination.workloadKind, e.proto.rawValue, Int(e.port), e.outcome.rawValue, s.flows,
                time(s.firstSeen), time(s.lastSeen), reasons, nodes.source.sorted(by: CIDR.textOrder),
                nodes.destination.sorted(by: CIDR.textOrder), nodes.services.sorted(),
            ]
            switch format {
            case .csv:
                out += values.map { v in
                    if let a = v as? [String] { return csvCell(a.joined(separator: ";")) }
                    return csvCell("\(v)")
                }.joined(separator: ",") + "\n"
            case .jsonl:
                let obj = Dictionary(uniqueKeysWithValues: zip(columns, values))
                let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes]))
                    ?? Data()
                out += String(decoding: data, as: UTF8.self) + "\n"
            }
        }
        return out
    }

    /// RFC 3339 UTC with nanoseconds: exports lose no precision.
    static func time(_ ns: Int64) -> String {
        let frac = ((ns % 1_000_000_000) + 1_000_000_000) % 1_000_000_000
        let digits = String(frac)
        return String(Timestamp.format(ns).dropLast()) + "." + String(repeating: "0", count: 9 - digits.count)
            + digits + "Z"
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break.
    static func csvCell(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
