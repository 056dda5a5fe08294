import Foundation
import FlowModel
import FlowStore

/// `flowmap sources`: what the store was fed, oldest first.
public enum ListSources {
    public static func run(db: String) throws -> [SourceRecord] {
        try Generate.openExisting(db).sources()
    }

    /// One line per source: id, path, format, counts, flow span, when ingested.
    public static func text(_ sources: [SourceRecord]) -> String {
        if sources.isEmpty { return "no sources\n" }
        var out = ""
        for s in sources {
            let span = s.firstFlow.map { f in "\(Timestamp.format(f)) .. \(Timestamp.format(s.lastFlow ?? f))" }
                ?? (s.attributed ? "no flows" : "flows before schema 7")
            out += "\(s.id)  \(s.path)  \(s.format)  lines \(s.counts.lines), accepted \(s.counts.accepted), "
                + "rejected \(s.counts.rejected)  flows \(span)  ingested \(Timestamp.format(s.ingestedAt))\n"
        }
        return out
    }

    /// `--output json`: `{"schema_version": 1, "verb": "sources", "sources": [...]}` (keys sorted, snake_case).
    public static func json(_ sources: [SourceRecord]) -> String {
        let rows: [[String: Any]] = sources.map { s in
            var r: [String: Any] = [
                "id": s.id, "path": s.path, "format": s.format, "lines": s.counts.lines,
                "accepted": s.counts.accepted, "rejected": s.counts.rejected, "skipped": s.counts.skipped,
                "bytes": s.counts.bytes, "ingested_at": Timestamp.format(s.ingestedAt), "forgettable": s.attributed
                    && s.format != "inventory",
            ]
            r["first_flow"] = s.firstFlow.map { Timestamp.format($0) } ?? NSNull()
            r["last_flow"] = s.lastFlow.map { Timestamp.format($0) } ?? NSNull()
            return r
        }
        let doc: [String: Any] = ["schema_version": 1, "verb": "sources", "sources": rows]
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys,
                                                                                .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
