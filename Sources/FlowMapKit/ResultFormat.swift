import Foundation
import Policy
import Yams

/// What a verb prints its result as (`--output`, docs/cli.md): `text` for a person, `json` and `yaml` for
/// programs (one JSON Schema per verb under schema/; the YAML is the same document), `md` for a pull-request
/// comment where the verb has one.
public enum ResultFormat: String, Sendable, CaseIterable {
    case text, json, md, yaml
}

/// JSON and YAML documents of a verb's result.
public enum ResultText {
    /// Pretty JSON with sorted keys (the style of every verb: snake_case keys, docs/cli.md): `JSONText`.
    public static func json<T: Encodable>(_ value: T) -> String { JSONText.encode(value) }

    /// The YAML form of a JSON document: same keys (sorted), same values; strings quoted when a YAML reader would
    /// read them as something else, non-ASCII characters escaped (nothing in it can steer a terminal).
    public static func yaml(fromJSON text: String) -> String {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
              let out = try? Yams.serialize(node: value.node, width: -1, allowUnicode: false, sortKeys: true) else {
            return text  // never reached for the JSON this module writes; JSON is YAML too
        }
        return out
    }

    /// `json` rendered as `format` (json or yaml).
    public static func document(_ json: String, as format: ResultFormat) -> String {
        format == .yaml ? yaml(fromJSON: json) : json
    }

    /// A verb's document (`{"schema_version": 1, "verb": …}` and `body`'s keys) as `format` (json or yaml).
    static func document<Body: Encodable>(verb: String, _ body: Body, as format: ResultFormat) -> String {
        document(JSONText.document(verb: verb, body), as: format)
    }
}

/// A parsed JSON value, to re-emit as YAML.
enum JSONValue: Decodable {
    case null, bool(Bool), int(Int64), double(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var node: Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(String(d), Tag(.float))
        case .string(let s): return .scalar(s.represented())
        case .array(let a): return Node(a.map(\.node), Tag(.seq), a.isEmpty ? .flow : .block)
        case .object(let o):
            return Node(o.keys.sorted().map { (Node($0), o[$0]!.node) }, Tag(.map), o.isEmpty ? .flow : .block)
        }
    }
}
