import Foundation

/// What to pass instead of a directory given as an input: patterns that match files really in it (or one level
/// down), with their counts, never a guess such as `dir/*.json` when it holds none.
enum DirectoryHint {
    static func message(for dir: String) -> String {
        let base = dir.hasSuffix("/") && dir.count > 1 ? String(dir.dropLast()) : dir
        let here = patterns(in: base, prefix: base)
        if !here.isEmpty { return "is a directory; pass the files in it: " + here.joined(separator: " ") }
        let fm = FileManager.default
        let subdirs = ((try? fm.contentsOfDirectory(atPath: base)) ?? []).sorted().filter {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: base + "/" + $0, isDirectory: &isDir) && isDir.boolValue && !$0.hasPrefix(".")
        }
        var counts: [String: Int] = [:]
        for s in subdirs {
            for (suffix, n) in suffixCounts(in: base + "/" + s) { counts[suffix, default: 0] += n }
        }
        if !counts.isEmpty {
            return "is a directory; pass the files in its subdirectories: "
                + render(counts, prefix: base + "/*").joined(separator: " ")
        }
        return "is a directory and holds no files to read; pass flow log files"
    }

    static func patterns(in dir: String, prefix: String) -> [String] {
        render(suffixCounts(in: dir), prefix: prefix)
    }

    /// `prefix/*.json (3 files)`, most files first, at most 4.
    static func render(_ counts: [String: Int], prefix: String) -> [String] {
        counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(4).map {
            "\(prefix)/*\($0.key) (\($0.value) file\($0.value == 1 ? "" : "s"))"
        }
    }

    /// Files beside captures that are never one (a README, scripts, manifests, pictures).
    static let notInput: Set<String> = [".md", ".py", ".sh", ".yaml", ".yml", ".html", ".png", ".svg"]

    /// Regular, non-hidden files by suffix (`.json`, `.log.gz`; `` for none).
    static func suffixCounts(in dir: String) -> [String: Int] {
        let fm = FileManager.default
        var counts: [String: Int] = [:]
        for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where !name.hasPrefix(".") {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir + "/" + name, isDirectory: &isDir), !isDir.boolValue else { continue }
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            var suffix = parts.count > 1 ? "." + parts.last! : ""
            if suffix == ".gz", parts.count > 2 { suffix = "." + parts[parts.count - 2] + suffix }
            if notInput.contains(suffix) { continue }
            counts[suffix, default: 0] += 1
        }
        return counts
    }
}
