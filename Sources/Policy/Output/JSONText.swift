import Foundation

/// The one JSON printer of every verb's output: deterministic (sorted keys), snake_case keys from the Encodable
/// types, pretty for documents, one line for JSON Lines records.
public enum JSONText {
    /// Pretty JSON with sorted keys, ending with a newline.
    public static func encode<T: Encodable>(_ value: T) -> String {
        write(value, [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + "\n"
    }

    /// One line, sorted keys, no newline (a JSON Lines record).
    public static func line<T: Encodable>(_ value: T) -> String {
        write(value, [.sortedKeys, .withoutEscapingSlashes])
    }

    /// A verb's document: `{"schema_version": 1, "verb": …}` with the body's keys beside them.
    public static func document<Body: Encodable>(verb: String, _ body: Body) -> String {
        encode(Merged(VerbHeader(verb: verb), body))
    }

    static func write<T: Encodable>(_ value: T, _ formatting: JSONEncoder.OutputFormatting) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = formatting
        // Never reached for the output types (strings, integers, booleans and arrays of them).
        guard let data = try? enc.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The envelope every verb's JSON document starts with (schema/<verb>.schema.json).
public struct VerbHeader: Encodable, Sendable {
    public var schema_version = 1
    public var verb: String
    public init(verb: String) { self.verb = verb }
}

/// A value written as JSON `null` when absent, for the keys a schema requires even without a value (an
/// Optional alone leaves the key out).
public struct OrNull<Value: Encodable>: Encodable {
    public var value: Value?
    public init(_ value: Value?) { self.value = value }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}

/// The keys of two objects in one JSON object (a record's shared part beside its own keys); the two have no
/// key in common.
public struct Merged<First: Encodable, Second: Encodable>: Encodable {
    public var first: First
    public var second: Second
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public func encode(to encoder: Encoder) throws {
        try first.encode(to: encoder)
        try second.encode(to: encoder)
    }
}
