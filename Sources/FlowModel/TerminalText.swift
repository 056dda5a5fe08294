/// The one rule for text taken from a capture or a manifest that reaches a terminal (or a reviewer's eye): no
/// control character (so no ANSI sequence), no line or paragraph separator, and no Unicode format character
/// (category Cf: the bidi overrides U+202A–U+202E and isolates U+2066–U+2069, zero-width characters, the BOM), which
/// can make a name read as another. Each becomes `replacement`.
public enum TerminalText {
    /// True for a scalar that must not reach a terminal raw.
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 { return true }
        return v >= 0xAD && u.properties.generalCategory == .format
    }

    /// `s` with every unsafe scalar replaced; newlines (and tabs) kept when `keepLineBreaks` (whole outputs), else
    /// replaced too (one table cell, one line).
    public static func safe(_ s: String, keepLineBreaks: Bool = false, replacement: String = "?") -> String {
        // Fast path: printable ASCII (the usual case) is already safe.
        if s.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || (keepLineBreaks && ($0 == 0x0A || $0 == 0x09)) }) { return s }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            if keepLineBreaks && (u == "\n" || u == "\t") {
                out.unicodeScalars.append(u)
            } else if isUnsafe(u) {
                out += replacement
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// JSON text with every unsafe scalar inside its strings written as a `\uXXXX` escape: the same document, but
    /// nothing in it can steer a terminal. (Outside strings JSON is ASCII, so every unsafe scalar is in one; one above
    /// U+FFFF is written as its surrogate pair.)
    public static func escapedJSON(_ json: String) -> String {
        if json.utf8.allSatisfy({ $0 < 0x7F }) { return json }
        var out = ""
        for u in json.unicodeScalars {
            if u != "\n" && isUnsafe(u) {
                out += TextEscaper.jsonEscape(u)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
