/// Writes pretty JSON straight into a string, in the exact layout of `JSONText.encode` (Foundation's
/// `JSONEncoder` with `.prettyPrinted, .sortedKeys, .withoutEscapingSlashes`: two-space indent, `"key" : value`,
/// an empty array as `[`, a blank line, `]`), without building an encoder tree first: the evidence report of a
/// large cluster is tens of thousands of objects. The caller writes keys in sorted order; `EmitTests` compares
/// the output with `JSONEncoder`'s for the reports and for every character class.
struct PrettyJSONWriter {
    private(set) var text = ""
    /// Per open container: whether it has a member yet.
    private var filled: [Bool] = []

    init(reservingCapacity n: Int = 0) { text.reserveCapacity(n) }

    private mutating func indent(_ depth: Int) {
        for _ in 0..<depth { text += "  " }
    }

    /// Starts the next member or element of the innermost container.
    private mutating func next() {
        guard let last = filled.last else { return }
        text += last ? ",\n" : "\n"
        filled[filled.count - 1] = true
        indent(filled.count)
    }

    private mutating func open(_ c: String) {
        text += c
        filled.append(false)
    }

    private mutating func close(_ c: String) {
        let had = filled.removeLast()
        text += had ? "\n" : "\n\n"
        indent(filled.count)
        text += c
    }

    mutating func beginObject() { open("{") }
    mutating func endObject() { close("}") }
    mutating func beginArray() { open("[") }
    mutating func endArray() { close("]") }

    /// A member's key; its value follows (a scalar or a container).
    mutating func key(_ k: String) {
        next()
        quoted(k)
        text += " : "
    }

    /// An array element that is a container: call before `beginObject`/`beginArray` inside an array.
    mutating func element() { next() }

    mutating func string(_ s: String) { quoted(s) }
    mutating func int<I: BinaryInteger>(_ n: I) { text += String(n) }
    mutating func bool(_ b: Bool) { text += b ? "true" : "false" }

    /// `key : value` members.
    mutating func member(_ k: String, _ s: String) { key(k); quoted(s) }
    mutating func member<I: BinaryInteger>(_ k: String, _ n: I) { key(k); int(n) }
    mutating func member(_ k: String, _ b: Bool) { key(k); bool(b) }
    mutating func member(_ k: String, _ strings: [String]) {
        key(k)
        beginArray()
        for s in strings { next(); quoted(s) }
        endArray()
    }

    private static let hex: [Character] = Array("0123456789abcdef")

    /// A JSON string as JSONEncoder writes it: `"` and `\` escaped, control characters as `\b \f \n \r \t` or
    /// `\u00XX`, everything else (slashes, non-ASCII) as is.
    private mutating func quoted(_ s: String) {
        text += "\""
        var plain = true
        for u in s.utf8 where u < 0x20 || u == 0x22 || u == 0x5C {
            plain = false
            break
        }
        if plain {
            text += s
        } else {
            for c in s.unicodeScalars {
                switch c {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case "\u{08}": text += "\\b"
                case "\u{0C}": text += "\\f"
                case _ where c.value < 0x20:
                    text += "\\u00"
                    text.append(Self.hex[Int(c.value >> 4)])
                    text.append(Self.hex[Int(c.value & 0xF)])
                default: text.unicodeScalars.append(c)
                }
            }
        }
        text += "\""
    }
}
