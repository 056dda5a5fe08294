/// The one place that decides how a string is written into YAML, and how capture-derived text becomes a comment.
public enum YAMLText {
    /// Writes `s` as a YAML scalar that every YAML 1.1 and 1.2 reader reads back as the same string:
    /// plain when it is unambiguous, otherwise double-quoted with escapes.
    public static func scalar(_ s: String) -> String {
        needsQuotes(s) ? quoted(s) : s
    }

    /// Double-quoted form with JSON-compatible escapes (YAML double-quoted strings are a superset).
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isUnsafe(u) {
                    out += u.value <= 0xFF ? "\\x" + hex(u.value, 2) : "\\u" + hex(u.value, 4)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Characters that must never appear raw in the output: C0 and C1 controls and DEL (YAML readers reject
    /// them, and NEL is a line break in YAML 1.1), the line and paragraph separators (line breaks in YAML 1.1),
    /// the byte-order mark, and the non-characters U+FFFE and U+FFFF (outside YAML's printable set).
    static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || v == 0xFEFF
            || v == 0xFFFE || v == 0xFFFF
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// Words YAML 1.1 or 1.2 read as booleans or null.
    static let reserved: Set<String> = [
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    ]

    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty { return true }
        if reserved.contains(s.lowercased()) { return true }
        guard let first = s.unicodeScalars.first else { return true }
        // Anything that starts like a number (1.0, 0755, .5, -1, +1, 0x1F, 1e3, 1_000, 12:30) is quoted.
        if first.properties.numericType != nil || "+-.".unicodeScalars.contains(first) { return true }
        // Plain scalars limited to a conservative alphabet: letters, digits and . _ / -, and ':' inside (as in
        // `k8s:io.kubernetes.pod.namespace`): a ':' is only an indicator before a space or at the end, and every
        // YAML 1.1 type with a ':' (sexagesimal numbers, times) starts with a digit, which is quoted above.
        let scalars = Array(s.unicodeScalars)
        for (i, u) in scalars.enumerated() {
            let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "."
                || u == "_" || u == "/" || u == "-" || (u == ":" && i > 0 && i < scalars.count - 1)
            if !ok { return true }
        }
        // `.inf`, `.nan` start with '.', handled above; words like `Inf`/`NaN` are strings in every reader.
        return false
    }

    /// Makes capture-derived text safe inside a `#` comment: one line, printable, bounded length.
    public static func comment(_ s: String, limit: Int = 200) -> String {
        var out = ""
        var n = 0  // scalars written; `out.count` here would rescan the string every time (quadratic)
        for u in s.unicodeScalars {
            if isUnsafe(u) {
                out += "?"
            } else {
                out.unicodeScalars.append(u)
            }
            n += 1
            if n >= limit {
                out += "..."
                break
            }
        }
        return out
    }
}
