import Yams

/// Splits a YAML (or JSON) text into documents and converts each to `ManifestNode`, keeping line numbers.
public enum YAMLDocumentLoader {
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { message }
    }

    /// All documents of the text; empty documents are dropped but still counted in the index (so indexes match
    /// what a user counts between `---` separators). On a syntax error, the documents before it and the error
    /// (with its line when known) are returned.
    public static func documents(_ text: String) -> (documents: [(index: Int, node: ManifestNode)], error: LoadError?) {
        var out: [(index: Int, node: ManifestNode)] = []
        do {
            var index = 0
            var seq = try Yams.compose_all(yaml: text, .basic)
            while let node = seq.next() {
                let m = convert(node)
                if !m.isNull { out.append((index, m)) }
                index += 1
            }
            if let e = seq.error { throw e }
        } catch let e as YamlError {
            return (out, LoadError(line: line(of: e), message: "YAML syntax error: \(e)"))
        } catch {
            return (out, LoadError(line: 0, message: "YAML error: \(error)"))
        }
        return (out, nil)
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

    static func convert(_ node: Node) -> ManifestNode {
        let line = node.mark?.line ?? 0
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
            for (k, v) in m { pairs.append((k.string ?? "\(k)", convert(v))) }
            return ManifestNode(.object(pairs), line: line)
        case .sequence(let seq):
            return ManifestNode(.array(seq.map(convert)), line: line)
        case .alias:
            return ManifestNode(.null, line: line)
        }
    }
}
