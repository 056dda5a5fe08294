import Yams

/// Splits a YAML (or JSON) text into documents and converts each to `ManifestNode`, keeping line numbers.
public enum YAMLDocumentLoader {
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { message }
    }

    /// A document that could not be parsed: its 0-based index in the text and the error.
    public struct DocumentError: Sendable {
        public var index: Int
        public var error: LoadError
    }

    /// All documents of the text; empty documents are dropped but still counted in the index (so indexes match
    /// what a user counts between `---` separators). A syntax error fails only its own document: the text around
    /// it is re-read document by document, so one stray byte never hides the rest of a file. Large texts are
    /// split at document markers and parsed on all cores (documents are independent in YAML: anchors do not
    /// cross them).
    public static func documents(_ text: String) -> (documents: [(index: Int, node: ManifestNode)], errors: [DocumentError]) {
        let chunks = split(text)
        let parts = chunks.count <= 1 ? [parseIsolatingErrors(chunks[0])]
            : ParallelChunks.map(count: chunks.count, minimumChunk: 1) { range in
                range.map { parseIsolatingErrors(chunks[$0]) }
            }.flatMap { $0 }
        var out: [(index: Int, node: ManifestNode)] = []
        var errors: [DocumentError] = []
        var base = 0
        for p in parts {
            out += p.docs.map { ($0.index + base, $0.node) }
            errors += p.errors.map { DocumentError(index: $0.index + base, error: $0.error) }
            base += p.count
        }
        return (out, errors)
    }

    /// Parses a chunk; when it has a syntax error, parses each of its documents on its own instead.
    static func parseIsolatingErrors(_ c: Chunk) -> (docs: [(index: Int, node: ManifestNode)], count: Int,
                                                     errors: [DocumentError]) {
        let whole = parse(c.text, lineOffset: c.lineOffset)
        guard whole.error != nil else { return (whole.docs, whole.count, []) }
        var docs: [(index: Int, node: ManifestNode)] = []
        var errors: [DocumentError] = []
        var index = 0
        for d in split(c.text, target: 0) {
            let p = parse(d.text, lineOffset: c.lineOffset + d.lineOffset)
            docs += p.docs.map { ($0.index + index, $0.node) }
            if let e = p.error {
                errors.append(DocumentError(index: index + p.count, error: e))
                index += p.count + 1  // the failed document counts as one
            } else {
                index += p.count
            }
        }
        return (docs, index, errors)
    }

    struct Chunk: Sendable {
        var text: String
        var lineOffset: Int
    }

    /// Cuts a large text before lines that start a document (`---` at column 0), into about two pieces per core.
    static func split(_ text: String) -> [Chunk] {
        split(text, target: max(256 * 1024, text.utf8.count / max(1, System.cores * 2)))
    }

    /// Cuts before document markers once a piece holds at least `target` bytes (0: before every marker).
    static func split(_ text: String, target: Int) -> [Chunk] {
        let bytes = Array(text.utf8)
        guard bytes.count > target else { return [Chunk(text: text, lineOffset: 0)] }
        var chunks: [Chunk] = []
        var start = 0, startLine = 0, line = 0, i = 0
        let dash = UInt8(ascii: "-"), nl = UInt8(ascii: "\n")
        while i < bytes.count {
            // i is at the start of a line.
            if i - start >= target, i > start || target > 0, i + 3 <= bytes.count, bytes[i] == dash, bytes[i + 1] == dash, bytes[i + 2] == dash,
               i + 3 == bytes.count || bytes[i + 3] == nl || bytes[i + 3] == UInt8(ascii: " ") || bytes[i + 3] == UInt8(ascii: "\r") {
                chunks.append(Chunk(text: String(decoding: bytes[start..<i], as: UTF8.self), lineOffset: startLine))
                start = i
                startLine = line
            }
            while i < bytes.count && bytes[i] != nl { i += 1 }
            i += 1
            line += 1
        }
        chunks.append(Chunk(text: String(decoding: bytes[start..<bytes.count], as: UTF8.self), lineOffset: startLine))
        return chunks
    }

    static func parse(_ text: String, lineOffset: Int) -> (docs: [(index: Int, node: ManifestNode)], count: Int, error: LoadError?) {
        var out: [(index: Int, node: ManifestNode)] = []
        var index = 0
        do {
            var seq = try Yams.compose_all(yaml: text, .basic)
            while let node = seq.next() {
                let m = convert(node, lineOffset: lineOffset)
                if !m.isNull { out.append((index, m)) }
                index += 1
            }
            if let e = seq.error { throw e }
        } catch let e as YamlError {
            let l = line(of: e)
            return (out, index, LoadError(line: l > 0 ? l + lineOffset : 0, message: "YAML syntax error: \(e)"))
        } catch {
            return (out, index, LoadError(line: 0, message: "YAML error: \(error)"))
        }
        return (out, index, nil)
    }

    static func line(of e: YamlError) -> Int {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 0
        }
    }

    /// Core-schema typing of a plain scalar: null, bool, decimal / 0x / 0o integers; anything else a string.
    static func plainScalar(_ t: String) -> ManifestNode.Value {
        switch t {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        let u = t.utf8
        guard let f = u.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") || (f >= 48 && f <= 57) else {
            return .string(t)
        }
        if let i = Int(t) { return .int(i) }
        if t.hasPrefix("0x"), let i = Int(t.dropFirst(2), radix: 16) { return .int(i) }
        if t.hasPrefix("0o"), let i = Int(t.dropFirst(2), radix: 8) { return .int(i) }
        if let d = Double(t), t.contains(".") || t.contains("e") || t.contains("E") { return .double(d) }
        return .string(t)
    }

    static func convert(_ node: Node, lineOffset: Int) -> ManifestNode {
        let line = (node.mark?.line).map { $0 + lineOffset } ?? 0
        switch node {
        case .scalar(let s):
            // Resolver.basic (no per-scalar regular expressions: Yams' default resolver dominates parse time);
            // plain scalars are typed here with the YAML 1.2 core schema rules that matter for manifests.
            if s.style == .plain {
                return ManifestNode(plainScalar(s.string), line: line)
            }
            return ManifestNode(.string(s.string), line: line)
        case .mapping(let m):
            var pairs: [(key: String, value: ManifestNode)] = []
            pairs.reserveCapacity(m.count)
            for (k, v) in m { pairs.append((k.string ?? "\(k)", convert(v, lineOffset: lineOffset))) }
            return ManifestNode(.object(pairs), line: line)
        case .sequence(let seq):
            return ManifestNode(.array(seq.map { convert($0, lineOffset: lineOffset) }), line: line)
        case .alias:
            return ManifestNode(.null, line: line)
        }
    }
}
