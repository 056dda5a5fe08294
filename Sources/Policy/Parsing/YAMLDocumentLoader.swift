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
            var seq = try Yams.compose_all(yaml: text)
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

    static func convert(_ node: Node) -> ManifestNode {
        let line = node.mark?.line ?? 0
        switch node {
        case .scalar(let s):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return ManifestNode(.null, line: line)
            case Tag.Name.bool.rawValue: if let b = node.bool { return ManifestNode(.bool(b), line: line) }
            case Tag.Name.int.rawValue: if let i = node.int { return ManifestNode(.int(i), line: line) }
            case Tag.Name.float.rawValue: if let d = node.float { return ManifestNode(.double(d), line: line) }
            default: break
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
