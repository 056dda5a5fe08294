/// A generic JSON document tree built on `JSONScanner`. The ingest hot path never builds one (it walks the
/// bytes directly); this exists for tests (the differential test against Foundation) and for tools.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's text as written (so no precision is lost); see `doubleValue`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order (duplicates kept as written).
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let b): h.combine(b)
        case .number(let n): h.combine(n)
        case .string(let s): h.combine(s)
        case .array(let a): h.combine(a)
        case .object(let o):
            for (k, v) in o {
                h.combine(k)
                h.combine(v)
            }
        }
    }

    public var doubleValue: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    /// Member lookup (last duplicate wins, as in most parsers).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o.last(where: { $0.0 == key })?.1
    }

    /// Parses a complete JSON text (one value, optional surrounding whitespace).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var s = JSONScanner(bytes)
        let v = try parseValue(&s, depth: 0)
        try s.expectEnd()
        return v
    }

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        let bytes = Array(text.utf8)
        let r: Result<JSONValue, JSONError> = bytes.withUnsafeBytes { p in
            do throws(JSONError) { return .success(try parse(p)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    static func parseValue(_ s: inout JSONScanner, depth: Int) throws(JSONError) -> JSONValue {
        guard let c = s.peek() else { throw s.fail("unexpected end of input, expected a value") }
        switch c {
        case 0x22: return .string(try s.readString())
        case 0x7B:
            guard depth < JSONScanner.maxDepth else { throw s.fail("nesting deeper than \(JSONScanner.maxDepth)") }
            var members: [(String, JSONValue)] = []
            if try s.beginObject() {
                repeat {
                    let k = s.string(try s.nextKey())
                    members.append((k, try parseValue(&s, depth: depth + 1)))
                } while try s.nextMember()
            }
            return .object(members)
        case 0x5B:
            guard depth < JSONScanner.maxDepth else { throw s.fail("nesting deeper than \(JSONScanner.maxDepth)") }
            var items: [JSONValue] = []
            if try s.beginArray() {
                repeat { items.append(try parseValue(&s, depth: depth + 1)) } while try s.nextElement()
            }
            return .array(items)
        case 0x74:
            try s.literal("true")
            return .bool(true)
        case 0x66:
            try s.literal("false")
            return .bool(false)
        case 0x6E:
            try s.literal("null")
            return .null
        default:
            let r = try s.scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(start: s.base + r.lowerBound, count: r.count),
                                  as: UTF8.self))
        }
    }
}
