import FlowModel
import FlowStore

// `--output json|yaml` of the verbs that change a store: remap, forget, prune (schema/<verb>.schema.json) and
// collect (schema/collect.schema.json). The text output stays the one line each verb prints.

/// `flowmap remap --output json` (schema/remap.schema.json).
struct RemapJSON: Encodable {
    var db: String
    /// Kept flow rows mapped onto workloads (wholly or on one end).
    var mapped_rows: Int
    /// Flows those rows counted.
    var mapped_flows: Int64
    /// Rows still unknown on some end.
    var unknown_rows: Int
}

/// `flowmap forget --output json` (schema/forget.schema.json).
struct ForgetJSON: Encodable {
    struct Source: Encodable {
        var id: Int64
        var path: String
        var format: String
    }
    var db: String
    /// Every source the selector named (a path may name several), by id.
    var sources: [Source]
    /// (edge, bucket) rows recomputed or removed.
    var buckets_recomputed: Int
}

/// `flowmap prune --output json` (schema/prune.schema.json).
struct PruneJSON: Encodable {
    var db: String
    /// `--before`, resolved (RFC 3339 UTC).
    var before: String
    /// Distinct buckets (time slots) dropped.
    var buckets: Int
    /// (edge, bucket) rows dropped.
    var rows: Int
}

/// `flowmap collect --output json` (schema/collect.schema.json).
struct CollectJSON: Encodable {
    var db: String
    /// The inventory command, then the Hubble command, as run.
    var commands: [String]
    var inventory: IngestJSON.Counts
    var flows: IngestJSON.Counts
    var failures: [String]
    var notes: [String]
}

extension Remap.Report {
    public func document(db: String, as format: ResultFormat) -> String {
        ResultText.document(verb: "remap", RemapJSON(db: db, mapped_rows: mapped, mapped_flows: flows, unknown_rows: unknown),
                            as: format)
    }
}

extension FlowStore.Forgotten {
    public func document(db: String, as format: ResultFormat) -> String {
        ResultText.document(verb: "forget", ForgetJSON(
            db: db, sources: sources.sorted { $0.id < $1.id }.map { ForgetJSON.Source(id: $0.id, path: $0.path, format: $0.format) },
            buckets_recomputed: buckets), as: format)
    }
}

extension FlowStore.Pruned {
    public func document(db: String, before: Int64, as format: ResultFormat) -> String {
        ResultText.document(verb: "prune", PruneJSON(db: db, before: Timestamp.format(before), buckets: buckets, rows: rows),
                            as: format)
    }
}

extension Collect.Report {
    public func document(db: String, as format: ResultFormat) -> String {
        ResultText.document(verb: "collect", CollectJSON(
            db: db, commands: commands, inventory: IngestJSON.Counts(inventory.total),
            flows: IngestJSON.Counts(flows.total), failures: flows.failures,
            notes: inventory.notes + flows.notes), as: format)
    }
}
