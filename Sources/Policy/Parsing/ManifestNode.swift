/// A parsed YAML/JSON value with the 1-based line it starts on (0 when unknown). Decoupled from Yams so
/// decoding and validation work on one small tree type.
public struct ManifestNode: Sendable {
    public indirect enum Value: Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case array([ManifestNode])
        case object([(key: String, value: ManifestNode)])
    }

    public var value: Value
    public var line: Int

    public init(_ value: Value, line: Int = 0) {
        self.value = value
        self.line = line
    }

    public subscript(key: String) -> ManifestNode? {
        if case .object(let pairs) = value {
            for p in pairs where p.key == key { return p.value }
        }
        return nil
    }

    public var isNull: Bool { if case .null = value { return true } else { return false } }

    /// Text of a scalar (numbers and booleans in their YAML spelling), nil for collections and null.
    public var scalarText: String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    public var array: [ManifestNode]? { if case .array(let a) = value { return a } else { return nil } }
    public var object: [(key: String, value: ManifestNode)]? {
        if case .object(let o) = value { return o } else { return nil }
    }

    /// Kind of value for messages.
    public var typeName: String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "list"
        case .object: return "object"
        }
    }
}
