import FlowModel

/// The one place that decides how a string is written into YAML, and how capture-derived text becomes a comment.
public enum YAMLText {
    /// Writes `s` as a YAML scalar that every YAML 1.1 and 1.2 reader reads back as the same string:
    /// plain when it is unambiguous, otherwise double-quoted with escapes.
    public static func scalar(_ s: String) -> String {
        needsQuotes(s) ? quoted(s) : s
    }

    /// Double-quoted form with JSON-compatible escapes (YAML double-quoted strings are a superset).
    public static func quoted(_ s: String) -> String { doubleQuoted(s) }

    /// Unsafe scalars (`isUnsafe`) as `\xXX`, `\uXXXX`, or above U+FFFF `\UXXXXXXXX` (`\u` takes exactly four
    /// digits: U+E0041 written `\uE0041` would read back as U+E004 and `1`).
    static let doubleQuoted = TextEscaper(
        quote: "\"", ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"]) { u in
            guard YAMLText.isUnsafe(u) else { return nil }
            let (prefix, width) = u.value <= 0xFF ? ("\\x", 2) : u.value <= 0xFFFF ? ("\\u", 4) : ("\\U", 8)
            return prefix + TextEscaper.hex(u.value, width: width, uppercase: true)
        }

    /// Characters that must never appear raw in the output: C0 and C1 controls and DEL (YAML readers reject
    /// them, and NEL is a line break in YAML 1.1), the line and paragraph separators (line breaks in YAML 1.1),
    /// the byte-order mark, and the non-characters U+FFFE and U+FFFF (outside YAML's printable set); format
    /// characters (Cf, bidi overrides among them) are escaped so a reviewer sees them.
    static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        TerminalText.isUnsafe(u) || u.value == 0xFFFE || u.value == 0xFFFF
    }

    /// Words YAML 1.1 or 1.2 read as booleans or null.
    static let reserved: Set<String> = [
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    ]

    /// Whether a byte of `s`'s UTF-8 satisfies `test`: over contiguous storage (native strings, all of ours), a
    /// plain loop over the bytes, several times cheaper than the generic `utf8.contains(where:)`.
    @inline(__always)
    static func anyByte(_ s: String, _ test: (UInt8) -> Bool) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ b -> Bool in
            for c in b where test(c) { return true }
            return false
        }) { return r }
        return s.utf8.contains(where: test)
    }

    static func needsQuotes(_ s: String) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ needsQuotes(utf8: $0, s) }) { return r }
        return needsQuotes(utf8: s.utf8, s)
    }

    private static func needsQuotes<C: Collection<UInt8>>(utf8 b: C, _ s: String) -> Bool {
        guard let first = b.first else { return true }
        if b.count <= 5 && reserved.contains(s.lowercased()) { return true }
        // Anything that starts like a number (1.0, 0755, .5, -1, +1, 0x1F, 1e3, 1_000, 12:30) is quoted.
        if (first >= 0x30 && first <= 0x39) || first == 0x2B || first == 0x2D || first == 0x2E { return true }
        // Plain scalars limited to a conservative ASCII alphabet: letters, digits and . _ / -, and ':' inside (as
        // in `k8s:io.kubernetes.pod.namespace`): a ':' is only an indicator before a space or at the end, and
        // every YAML 1.1 type with a ':' (sexagesimal numbers, times) starts with a digit, which is quoted above.
        // Anything else, any non-ASCII character included, is quoted.
        var i = 0
        let last = b.count - 1
        for c in b {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2E
                || c == 0x5F || c == 0x2F || c == 0x2D || (c == 0x3A && i > 0 && i < last)
            if !ok { return true }
            i += 1
        }
        // `.inf`, `.nan` start with '.', handled above; words like `Inf`/`NaN` are strings in every reader.
        return false
    }

    /// Makes capture-derived text safe inside a `#` comment: one line, printable, at most `limit` characters
    /// (Unicode scalars) plus `...`. Format characters (Cf: bidi overrides and isolates, zero-width characters)
    /// are removed, so a name cannot be displayed to a reviewer as another.
    public static func comment(_ s: String, limit: Int = 200) -> String {
        // Fast path: short printable ASCII, the usual case, is already safe.
        if s.utf8.count <= limit && !anyByte(s, { $0 < 0x20 || $0 >= 0x7F }) { return s }
        var out = ""
        var n = 0
        for u in s.unicodeScalars {
            if n >= limit {
                out += "..."
                break
            }
            if u.properties.generalCategory == .format { continue }
            if isUnsafe(u) {
                out += "?"
            } else {
                out.unicodeScalars.append(u)
            }
            n += 1
        }
        return out
    }
}
