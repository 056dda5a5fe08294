import Foundation

/// Reads manifests from files, folders (recursively: `.yaml`, `.yml`, `.json`) and stdin (`-`).
public enum ManifestReader {
    public static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Reads every path; a path that cannot be read becomes an issue (document -1), not a thrown error, unless
    /// it does not exist at all.
    /// Checks that need every file at once (duplicate names) run on the merged set.
    public static func read(paths: [String]) throws -> ManifestSet {
        var set = ManifestSet()
        for p in paths { set.merge(try load(path: p)) }
        set.rejectDuplicatePolicies()
        set.checkAdminPolicies()
        return set
    }

    public static func read(path: String) throws -> ManifestSet { try read(paths: [path]) }

    static func load(path: String) throws -> ManifestSet {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return decode(text: String(decoding: data, as: UTF8.self), file: "-")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ManifestIssue(file: path, document: -1, path: "", message: "no such file or directory")
        }
        if !isDir.boolValue { return try parse(file: path) }
        var set = ManifestSet()
        set.paths = [path]
        for f in files(under: path) { set.merge(try load(file: f)) }
        return set
    }

    /// Manifest files under a folder, sorted, hidden entries skipped.
    public static func files(under dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            let last = (rel as NSString).lastPathComponent
            if last.hasPrefix(".") {
                e.skipDescendants()
                continue
            }
            let ext = (rel as NSString).pathExtension.lowercased()
            if extensions.contains(ext) { out.append((dir as NSString).appendingPathComponent(rel)) }
        }
        return out.sorted()
    }

    public static func parse(file: String) throws -> ManifestSet {
        var set = try load(file: file)
        set.rejectDuplicatePolicies()
        set.checkAdminPolicies()
        return set
    }

    static func load(file: String) throws -> ManifestSet {
        // The loader's size bound, before the file is read into memory.
        let limit = YAMLDocumentLoader.Limits().bytes
        if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int, size > limit {
            var set = ManifestSet()
            set.files = 1
            set.paths = [file]
            set.issues.append(ManifestIssue(file: file, document: -1, path: "", message:
                "the file is \(size) bytes; at most \(limit) are read (split it into several files)"))
            return set
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ManifestIssue(file: file, document: -1, path: "", message: "cannot read file")
        }
        // FlowMap's evidence report (`Emit`'s `EvidenceReport`, beside the policies it generated) is no manifest: not a
        // file or document of the set.
        if data.starts(with: GeneratedFile.jsonMarker.utf8) { return ManifestSet() }
        return decode(text: String(decoding: data, as: UTF8.self), file: file)
    }

    public static func parse(text: String, file: String) -> ManifestSet {
        var set = decode(text: text, file: file)
        set.rejectDuplicatePolicies()
        set.checkAdminPolicies()
        return set
    }

    static func decode(text: String, file: String) -> ManifestSet {
        var set = ManifestSet()
        set.files = 1
        set.paths = [file]
        let (docs, errors) = YAMLDocumentLoader.documents(text)
        var decoder = ManifestDecoder(file: file)
        for d in docs { decoder.decode(document: d.index, d.node, into: &set) }
        set.documents = docs.count + errors.count
        for e in errors {
            set.issues.append(ManifestIssue(file: file, document: e.index, path: "", line: e.error.line,
                                            message: e.error.message))
        }
        // Document order (a syntax error found while re-reading sits between the documents around it).
        set.issues = set.issues.enumerated().sorted { ($0.element.document, $0.offset) < ($1.element.document, $1.offset) }
            .map(\.element)
        return set
    }
}
