import FlowStore

/// `flowmap prune --before T`: drops the buckets that end at or before T.
public enum Prune {
    public static func run(db: String, before: Int64) throws -> FlowStore.Pruned {
        try Generate.openExisting(db).prune(before: before)
    }
}
