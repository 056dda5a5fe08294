#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes generated files atomically (temp file + rename), creating directories as needed.
enum FileOutput {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func replaceGenerated(in dir: String, with files: [(name: String, text: String)]) throws {
        try makeDirectories(dir)
        for f in files {
            let path = dir + "/" + f.name
            if let slash = path.lastIndex(of: "/") { try makeDirectories(String(path[..<slash])) }
            try write(path, f.text)
        }
    }

    static func makeDirectories(_ path: String) throws {
        var cur = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            cur += "/" + part
            if mkdir(cur, 0o755) != 0 && errno != EEXIST {
                throw Failure(description: "\(cur): cannot create directory: \(String(cString: strerror(errno)))")
            }
        }
    }

    static func write(_ path: String, _ text: String) throws {
        let tmp = path + ".tmp-flowmap"
        guard let f = fopen(tmp, "w") else {
            throw Failure(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let n = fwrite(bytes, 1, bytes.count, f)
        let closed = fclose(f)
        guard n == bytes.count, closed == 0, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw Failure(description: "\(path): write failed: \(String(cString: strerror(errno)))")
        }
    }
}
