/// The only places where text taken from a capture is turned into output syntax. Every renderer goes through
/// these; nothing is concatenated into DOT, Mermaid or HTML unescaped.
public enum Escape {
    /// A DOT double-quoted string, quotes included. Backslash and quote are escaped (so `\N`, `\G`, `\l` from a
    /// capture stay literal), line breaks become `\n`, other control characters are dropped.
    public static func dot(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r", "\t": out += " "
            default:
                if u.value < 0x20 || u.value == 0x7F { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// A Mermaid label, quotes included: every character outside a small safe set is written as a Mermaid entity
    /// code (`#35;`), so quotes, brackets, pipes, `<`, `>` and `%%` cannot end the label or start markup.
    public static func mermaid(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            if (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9")
                || u == " " || u == "." || u == "-" || u == "_" || u == "/" || u == ":" || u == "," || u == "+"
                || u == "(" || u == ")" || u == "·" {
                out.unicodeScalars.append(u)
            } else if u.value < 0x20 || u.value == 0x7F {
                out += " "
            } else {
                out += "#\(u.value);"
            }
        }
        return out + "\""
    }

    /// Text content or a double-quoted attribute value in HTML.
    public static func html(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A JSON string literal, quotes included, safe inside an HTML `<script>` element: `<`, `>`, `&`, U+2028 and
    /// U+2029 are written as `\uXXXX`, so neither `</script>` nor `<!--` can appear in the output.
    public static func json(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += unicodeEscape(u.value)
            default:
                if u.value < 0x20 || u.value == 0x7F { out += unicodeEscape(u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    static func unicodeEscape(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }
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
