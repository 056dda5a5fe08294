import Foundation
import FlowModel
import FlowStore
import Policy

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
        JSONText.document(verb: "sources", SourcesJSON(sources: sources.map { s in
            SourcesJSON.Row(id: s.id, path: s.path, format: s.format, lines: s.counts.lines, accepted: s.counts.accepted,
                            rejected: s.counts.rejected, skipped: s.counts.skipped, bytes: s.counts.bytes,
                            ingested_at: Timestamp.format(s.ingestedAt),
                            forgettable: s.attributed && s.format != "inventory",
                            first_flow: OrNull(s.firstFlow.map { Timestamp.format($0) }),
                            last_flow: OrNull(s.lastFlow.map { Timestamp.format($0) }))
        }))
    }

    /// schema/sources.schema.json.
    struct SourcesJSON: Encodable {
        struct Row: Encodable {
            var id: Int64
            var path: String
            var format: String
            var lines, accepted, rejected, skipped, bytes: Int64
            var ingested_at: String
            var forgettable: Bool
            /// null without flows, or for sources ingested before schema 7.
            var first_flow, last_flow: OrNull<String>
        }
        var sources: [Row]
    }
}
