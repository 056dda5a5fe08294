import ArgumentParser
import Foundation

/// The `--db` every verb uses when none is given: $FLOWMAP_DB (an SQLite path or a postgresql:// connection
/// string), else flowmap.db in the current directory.
enum StoreDefault {
    static var db: String {
        if let v = ProcessInfo.processInfo.environment["FLOWMAP_DB"], !v.isEmpty { return v }
        return "flowmap.db"
    }
}

/// `--db` of the verbs that read or change one store.
struct StoreFlags: ParsableArguments {
    @Option(help: "The store (SQLite file).")
    var db = StoreDefault.db
}
