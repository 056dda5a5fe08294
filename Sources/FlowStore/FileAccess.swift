#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Says why a store file could not be opened, in terms a user can act on (SQLite only says "unable to open").
enum FileAccess {
    static func reason(_ path: String, _ sqliteMessage: String, readOnly: Bool) -> String {
        let dir = directory(of: path)
        if access(path, F_OK) != 0 {
            if readOnly { return "no such file" }
            if access(dir, F_OK) != 0 { return "its directory \(dir) does not exist" }
            if access(dir, W_OK) != 0 { return "cannot create it: the directory \(dir) is not writable" }
            return sqliteMessage
        }
        if access(path, readOnly ? R_OK : R_OK | W_OK) != 0 {
            return readOnly ? "the file is not readable" : "the file is not writable (or not readable)"
        }
        if !readOnly && access(dir, W_OK) != 0 { return "the directory \(dir) is not writable" }
        return sqliteMessage
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
