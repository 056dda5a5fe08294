/// Writes pretty JSON straight into a string, in the exact layout of `JSONText.encode` (Foundation's
/// `JSONEncoder` with `.prettyPrinted, .sortedKeys, .withoutEscapingSlashes`: two-space indent, `"key" : value`,
/// an empty array as `[`, a blank line, `]`), without building an encoder tree first: the evidence report of a
/// large cluster is tens of thousands of objects. The caller writes keys in sorted order; `EmitTests` compares
/// the output with `JSONEncoder`'s for the reports and for every character class.
struct PrettyJSONWriter {
    /// UTF-8 bytes written so far, or not yet handed to the sink.
    var bytes: ByteText
    /// Per open container: whether it has a member yet.
    private var filled: [Bool] = []

    init(reservingCapacity n: Int = 0, sink: EmittedFile.Sink? = nil) {
        bytes = ByteText(reservingCapacity: n, sink: sink)
    }

    /// The JSON written so far.
    var text: String { bytes.text }

    private mutating func raw(_ s: StaticString) { bytes.append(s) }

    private mutating func indent(_ depth: Int) {
        for _ in 0..<depth { bytes.append(0x20); bytes.append(0x20) }
    }

    /// Starts the next member or element of the innermost container.
    private mutating func next() {
        guard let last = filled.last else { return }
        if last { bytes.append(0x2C) }
        bytes.append(0x0A)
        filled[filled.count - 1] = true
        indent(filled.count)
    }

    private mutating func open(_ c: UInt8) {
        bytes.append(c)
        filled.append(false)
    }

    private mutating func close(_ c: UInt8) {
        let had = filled.removeLast()
        bytes.append(0x0A)
        if !had { bytes.append(0x0A) }
        indent(filled.count)
        bytes.append(c)
    }

    mutating func beginObject() { open(0x7B) }
    mutating func endObject() { close(0x7D) }
    mutating func beginArray() { open(0x5B) }
    mutating func endArray() { close(0x5D) }

    /// A member's key; its value follows (a scalar or a container).
    mutating func key(_ k: String) {
        next()
        quoted(k)
        raw(" : ")
    }

    /// An array element that is a container: call before `beginObject`/`beginArray` inside an array.
    mutating func element() { next() }

    mutating func string(_ s: String) { quoted(s) }
    mutating func int<I: BinaryInteger>(_ n: I) { bytes.append(decimal: n) }
    mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }

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

    mutating func member<I: BinaryInteger>(_ k: String, _ numbers: [I]) {
        key(k)
        beginArray()
        for n in numbers { next(); int(n) }
        endArray()
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string as JSONEncoder writes it: `"` and `\` escaped, control characters as `\b \f \n \r \t` or
    /// `\u00XX`, everything else (slashes, non-ASCII) as is.
    private mutating func quoted(_ s: String) {
        bytes.append(0x22)
        // Fast path: nothing to escape (names, ports, times), copied as a whole.
        if !YAMLText.anyByte(s, { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            bytes.append(s)
            bytes.append(0x22)
            return
        }
        for u in s.utf8 {
            switch u {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case ..<0x20:
                raw("\\u00")
                bytes.append(Self.hex[Int(u >> 4)])
                bytes.append(Self.hex[Int(u & 0xF)])
            default: bytes.append(u)
            }
        }
        bytes.append(0x22)
    }
}
