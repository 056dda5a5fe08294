/// The one escaping loop behind every output syntax that writes text taken from a capture or a manifest (YAML
/// double-quoted scalars, DOT, Mermaid, HTML, JSON inside HTML, Markdown table cells): each Unicode scalar is
/// written as its entry in the syntax's `table`, else as `other` says, else as it is, between two `quote`s. A
/// syntax is a table, never a loop of its own. Scalars, not Characters: a combining mark after `|` or the
/// `\r\n` pair is one Character but two scalars, and each must meet the table.
public struct TextEscaper: Sendable {
    /// Written before and after the text (`"` for a quoted string, empty for text content).
    public let quote: String
    /// Scalars with a fixed replacement.
    public let table: [Unicode.Scalar: String]
    /// Every other scalar: its replacement, or nil to write it as it is.
    public let other: @Sendable (Unicode.Scalar) -> String?
    /// `table` and `other` resolved for ASCII, the usual case (nil: as it is).
    private let ascii: [String?]

    public init(quote: String = "", _ table: [Unicode.Scalar: String],
                other: @escaping @Sendable (Unicode.Scalar) -> String? = { _ in nil }) {
        self.quote = quote
        self.table = table
        self.other = other
        ascii = (0..<128).map { v in
            let u = Unicode.Scalar(UInt8(v))
            return table[u] ?? other(u)
        }
    }

    public func callAsFunction(_ s: String) -> String {
        var out = quote
        for u in s.unicodeScalars {
            if let r = u.value < 128 ? ascii[Int(u.value)] : table[u] ?? other(u) {
                out += r
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out + quote
    }

    /// `v` in hexadecimal, zero-padded to `width` digits.
    public static func hex(_ v: UInt32, width: Int, uppercase: Bool = false) -> String {
        let h = String(v, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// A JSON `\uXXXX` escape; a scalar above U+FFFF as its UTF-16 surrogate pair (`\ud83d\ude00`), the only form
    /// a JSON reader decodes back to the same scalar.
    public static func jsonEscape(_ u: Unicode.Scalar) -> String {
        String(Character(u)).utf16.map { "\\u" + hex(UInt32($0), width: 4) }.joined()
    }
}

