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

    /// Writes `files` under `dir`, then removes the files an earlier run generated there that this run did not
    /// write (a `.yaml` file starting with `marker`), so a directory applied as a whole (GitOps) never keeps a
    /// stale policy; directories left empty by that are removed too. Only the two levels the layouts use are
    /// looked at (`dir/*.yaml`, `dir/*/*.yaml`), hidden entries never. Returns the removed paths, relative, sorted.
    @discardableResult
    static func replaceGenerated(in dir: String, with files: [(name: String, text: String)],
                                 marker: String) throws -> [String] {
        try makeDirectories(dir)
        for f in files {
            let path = dir + "/" + f.name
            if let slash = path.lastIndex(of: "/") { try makeDirectories(String(path[..<slash])) }
            try write(path, f.text)
        }
        let keep = Set(files.map(\.name))
        var removed: [String] = []
        func sweep(_ rel: String) {
            let abs = rel.isEmpty ? dir : dir + "/" + rel
            for entry in list(abs) where !entry.hasPrefix(".") {
                let childRel = rel.isEmpty ? entry : rel + "/" + entry
                let child = dir + "/" + childRel
                var st = stat()
                guard lstat(child, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR && rel.isEmpty {
                    sweep(childRel)
                    rmdir(child)  // only succeeds when now empty
                } else if (st.st_mode & S_IFMT) == S_IFREG, childRel.hasSuffix(".yaml"), !keep.contains(childRel),
                          startsWith(child, marker), unlink(child) == 0 {
                    removed.append(childRel)
                }
            }
        }
        sweep("")
        return removed.sorted()
    }

    /// Names in a directory, without `.` and `..`.
    static func list(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    /// True when the file's first bytes are `prefix`.
    static func startsWith(_ path: String, _ prefix: String) -> Bool {
        guard let f = fopen(path, "r") else { return false }
        defer { fclose(f) }
        let want = Array(prefix.utf8)
        var got = [UInt8](repeating: 0, count: want.count)
        return fread(&got, 1, want.count, f) == want.count && got == want
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
        var st = stat()
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFDIR {
            // A device or pipe (/dev/stdout, /dev/full, a FIFO): write into it. Renaming a temporary file over
            // it would replace the device node itself (and, run as root, hide every write error).
            try writeInPlace(path, text)
            return
        }
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

    static func writeInPlace(_ path: String, _ text: String) throws {
        guard let f = fopen(path, "w") else {
            throw Failure(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let n = fwrite(bytes, 1, bytes.count, f)
        var failure = n == bytes.count ? 0 : errno
        if fflush(f) != 0 && failure == 0 { failure = errno }
        if fclose(f) != 0 && failure == 0 { failure = errno }
        if failure != 0 {
            throw Failure(description: "\(path): write failed: \(String(cString: strerror(failure))): the output is incomplete")
        }
    }
}
