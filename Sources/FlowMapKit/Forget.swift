import FlowStore

/// `flowmap forget SOURCE`: removes what one source (an id from `flowmap sources`, or a path) contributed.
public enum Forget {
    public static func run(db: String, source: String) throws -> FlowStore.Forgotten {
        try Generate.openExisting(db).forget(source)
    }
}
