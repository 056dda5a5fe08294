/// Kubernetes object names for generated policies: valid DNS-1123 labels (lower-case alphanumerics and '-',
/// at most 63 characters), long ones shortened with a stable hash suffix.
public enum PolicyName {
    public static func make(_ parts: String...) -> String {
        let raw = parts.joined(separator: "-").lowercased()
        var s = ""
        for c in raw.unicodeScalars {
            let ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9")
            s += ok ? String(c) : "-"
        }
        s = s.split(separator: "-").joined(separator: "-")  // collapse runs of '-' and trim both ends
        if s.isEmpty { s = "p" }
        if s.count <= 63 && s == raw { return s }
        // Changed or too long: keep it readable and make it unique with a hash of the original text.
        let suffix = "-" + hash(raw)
        if s.count + suffix.count > 63 {
            s = String(s.prefix(63 - suffix.count))
            while s.hasSuffix("-") { s.removeLast() }
        }
        return s + suffix
    }

    /// `name` (a valid label) with `-` and a hash of `identity` appended, shortened to stay within 63 characters.
    public static func suffixed(_ name: String, hashing identity: String) -> String {
        let suffix = "-" + hash(identity)
        var s = name
        if s.count + suffix.count > 63 {
            s = String(s.prefix(63 - suffix.count))
            while s.hasSuffix("-") { s.removeLast() }
        }
        return s + suffix
    }

    /// 8 hex digits of FNV-1a over the UTF-8 bytes: stable across runs and machines.
    static func hash(_ s: String) -> String {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        let t = String(h, radix: 16)
        return String(repeating: "0", count: 8 - t.count) + t
    }
}
