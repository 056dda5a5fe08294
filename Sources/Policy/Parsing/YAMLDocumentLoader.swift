import Yams

/// Splits a YAML (or JSON) text into documents and converts each to `ManifestNode`, keeping line numbers.
public enum YAMLDocumentLoader {
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        /// The document a bound of `Limits` stopped at; nil for a syntax error (the one after the last returned).
        public var document: Int?
        public var description: String { (document.map { "document \($0): " } ?? "") + message }
    }

    /// What one manifest file may hold. Aliases make a small text expand into a huge tree (a 786-byte "billion
    /// laughs" exhausted memory), so what aliases add is bounded, not only the text.
    public struct Limits: Sendable {
        /// Bytes of one file.
        public var bytes = 64 << 20
        /// Documents in one file (`---` separated).
        public var documents = 100_000
        /// Nesting of mappings and sequences in one document (libyaml itself stops at 1,000).
        public var depth = 256
        /// Anchors (`&name`) defined in one document.
        public var anchors = 10_000
        /// Aliases (`*name`) expanded in one document, counting aliases inside an expanded alias each time.
        public var aliases = 10_000
        /// Nodes that aliases add to the whole file once expanded.
        public var aliasNodes = 1_000_000
        public init() {}
    }

    /// A document that could not be parsed: its 0-based index in the text and the error.
    public struct DocumentError: Sendable {
        public var index: Int
        public var error: LoadError
    }

    /// All documents of the text; empty documents are dropped but still counted in the index (so indexes match
    /// what a user counts between `---` separators). A syntax error fails only its own document: the text around
    /// it is re-read document by document, so one stray byte never hides the rest of a file. A bound of `limits`
    /// exceeded stops the file there: the documents before it and the error are returned. Large texts are split
    /// at document markers and parsed on all cores (documents are independent in YAML: anchors do not cross them).
    public static func documents(_ text: String, limits: Limits = Limits())
        -> (documents: [(index: Int, node: ManifestNode)], errors: [DocumentError]) {
        let size = text.utf8.count
        if size > limits.bytes {
            return ([], [DocumentError(index: 0, error: LoadError(
                line: 0, message: "the file is \(size) bytes; at most \(limits.bytes) are read (split it into several files)"))])
        }
        let chunks = split(text)
        let parts: [Parsed]
        if chunks.count <= 1 {
            parts = [parseIsolatingErrors(chunks[0], limits: limits)]
        } else {
            parts = ParallelChunks.map(count: chunks.count, minimumChunk: 1) { range in
                range.map { parseIsolatingErrors(chunks[$0], limits: limits) }
            }.flatMap { $0 }
        }
        // The file-wide bounds, in document order: the same error whatever the number of cores.
        var out: [(index: Int, node: ManifestNode)] = []
        var errors: [DocumentError] = []
        var base = 0, aliasNodes = 0
        func stop(_ index: Int, _ e: LoadError) -> (documents: [(index: Int, node: ManifestNode)], errors: [DocumentError]) {
            (out, errors + [DocumentError(index: index, error: e)])
        }
        for p in parts {
            for (k, d) in p.docs.enumerated() {
                aliasNodes += p.aliasNodes[k]
                if aliasNodes > limits.aliasNodes {
                    return stop(d.index + base, LoadError(line: d.node.line, message: "aliases expand to more than "
                                + "\(limits.aliasNodes) nodes in this file (an alias bomb?); write the repeated parts "
                                + "out or split the file", document: d.index + base))
                }
                if d.index + base >= limits.documents {
                    return stop(d.index + base, LoadError(line: 0, message: documentsMessage(limits), document: d.index + base))
                }
                out.append((d.index + base, d.node))
            }
            errors += p.syntaxErrors.map { DocumentError(index: $0.index + base, error: $0.error) }
            if var e = p.error {
                if let d = p.errorDocument { e.document = d + base }
                return stop(e.document ?? base + p.count, e)
            }
            base += p.count
            if base > limits.documents {
                return stop(limits.documents, LoadError(line: 0, message: documentsMessage(limits), document: limits.documents))
            }
        }
        return (out, errors)
    }

    /// Parses a chunk; when it has a syntax error, parses each of its documents on its own instead, so only
    /// the broken ones fail (`syntaxErrors`). A bound exceeded is not isolated: it stops the chunk (`error`).
    static func parseIsolatingErrors(_ c: Chunk, limits: Limits) -> Parsed {
        let whole = parse(c.text, lineOffset: c.lineOffset, limits: limits)
        guard whole.error != nil, whole.errorDocument == nil else { return whole }
        var out = Parsed()
        var index = 0
        for d in split(c.text, target: 0) {
            let p = parse(d.text, lineOffset: c.lineOffset + d.lineOffset, limits: limits)
            out.docs += p.docs.map { ($0.index + index, $0.node) }
            out.aliasNodes += p.aliasNodes
            if let e = p.error, let stopped = p.errorDocument {
                out.error = e
                out.errorDocument = index + stopped
                out.count = index + p.count
                return out
            }
            if let e = p.error {
                out.syntaxErrors.append(DocumentError(index: index + p.count, error: e))
                index += p.count + 1  // the failed document counts as one
            } else {
                index += p.count
            }
        }
        out.count = index
        return out
    }

    static func documentsMessage(_ limits: Limits) -> String {
        "more than \(limits.documents) documents in one file; split it into several files"
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

    /// One chunk's documents; `aliasNodes[k]` is what aliases added to `docs[k]`.
    struct Parsed {
        var docs: [(index: Int, node: ManifestNode)] = []
        var aliasNodes: [Int] = []
        var count = 0
        var error: LoadError?
        /// The chunk's index of the document a bound stopped at (the file's index is known after combining).
        var errorDocument: Int?
        /// Documents that failed alone with a syntax error (chunk indexes); the others were read.
        var syntaxErrors: [DocumentError] = []
    }

    static func parse(_ text: String, lineOffset: Int, limits: Limits = Limits()) -> Parsed {
        var out = Parsed()
        // The bounds first, on libyaml's events: Yams would expand an alias bomb while composing.
        var stopAt: Int?
        var aliasNodes: [Int] = []
        do {
            aliasNodes = try YAMLBoundScan.scan(text, lineOffset: lineOffset, limits: limits) ?? []
        } catch let e as YAMLBoundScan.Exceeded {
            stopAt = e.document
            out.error = LoadError(line: e.line, message: e.message)
            out.errorDocument = e.document
        } catch {
            out.error = LoadError(line: 0, message: "YAML error: \(error)")
            return out
        }
        var index = 0
        do {
            var seq = try Yams.compose_all(yaml: text, .basic)
            while index != stopAt, let node = seq.next() {
                let m = convert(node, lineOffset: lineOffset)
                if !m.isNull {
                    out.docs.append((index, m))
                    out.aliasNodes.append(index < aliasNodes.count ? aliasNodes[index] : 0)
                }
                index += 1
            }
            if stopAt == nil, let e = seq.error { throw e }
        } catch let e as YamlError {
            let l = line(of: e)
            out.error = LoadError(line: l > 0 ? l + lineOffset : 0, message: "YAML syntax error: \(e)")
        } catch {
            out.error = LoadError(line: 0, message: "YAML error: \(error)")
        }
        out.count = index
        return out
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

    /// Converts one document (within the bounds `YAMLBoundScan` checked).
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
            for (k, v) in m {
                // A collection as a key is never a manifest field: named, not described.
                let key = k.string ?? "(a \(k.mapping != nil ? "mapping" : "sequence") as a key)"
                pairs.append((key, convert(v, lineOffset: lineOffset)))
            }
            return ManifestNode(.object(pairs), line: line)
        case .sequence(let seq):
            return ManifestNode(.array(seq.map { convert($0, lineOffset: lineOffset) }), line: line)
        case .alias:
            return ManifestNode(.null, line: line)
        }
    }
}
