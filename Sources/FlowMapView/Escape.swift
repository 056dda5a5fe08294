import FlowModel

/// The only places where text taken from a capture is turned into output syntax. Every renderer goes through
/// these; nothing is concatenated into DOT, Mermaid or HTML unescaped. Each syntax is a `TextEscaper` table.
public enum Escape {
    /// A DOT double-quoted string, quotes included. Backslash and quote are escaped (so `\N`, `\G`, `\l` from a
    /// capture stay literal), line breaks become `\n`, other control characters are dropped.
    public static let dot = TextEscaper(quote: "\"", ["\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\r": " ", "\t": " "],
                                        other: { Escape.isControl($0) ? "" : nil })

    /// A Mermaid label, quotes included: every character outside a small safe set is written as a Mermaid entity
    /// code (`#35;`), so quotes, brackets, pipes, `<`, `>` and `%%` cannot end the label or start markup.
    public static let mermaid = TextEscaper(quote: "\"", [:], other: { u in
        if (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || Escape.mermaidSafe.contains(u) {
            return nil
        }
        return Escape.isControl(u) ? " " : "#\(u.value);"
    })
    static let mermaidSafe: Set<Unicode.Scalar> = [" ", ".", "-", "_", "/", ":", ",", "+", "(", ")", "·"]

    /// Text content or a double-quoted attribute value in HTML.
    public static let html = TextEscaper(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"])

    /// A JSON string literal, quotes included, safe inside an HTML `<script>` element: `<`, `>`, `&`, U+2028 and
    /// U+2029 are written as `\uXXXX`, so neither `</script>` nor `<!--` can appear in the output.
    public static let json = TextEscaper(
        quote: "\"",
        ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
         "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u{2028}": "\\u2028", "\u{2029}": "\\u2029"],
        other: { Escape.isControl($0) ? TextEscaper.jsonEscape($0) : nil })

    /// C0 controls and DEL.
    static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || u.value == 0x7F }
}

/// A minimal JSON writer: values are built in order, so the output is deterministic. Strings always go
/// through `Escape.json`.
enum JSON {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case array([JSON])
    /// Keys in the order given.
    case object([(String, JSON)])

    func write(into out: inout String) {
        switch self {
        case .string(let s): out += Escape.json(s)
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                out += Escape.json(k)
                out += ":"
                v.write(into: &out)
            }
            out += "}"
        }
    }

    var text: String {
        var s = ""
        write(into: &s)
        return s
    }
}
