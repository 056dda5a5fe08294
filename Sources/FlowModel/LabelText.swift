/// `k=v` label text as flow logs write it (Calico's `labels` lists and strings, the generic record reader's
/// `src_labels` column): the one parser. Each item is trimmed of blanks (spaces and tabs), an item without `=` or
/// `-` (Calico: aggregated away) is skipped, the key is before the first `=`, the value the rest. The pairs are not
/// validated here: readers check them with `KubernetesName.labelProblem` and name the field.
public enum LabelText {
    /// Pairs from a list of `k=v` items.
    public static func parse<S: Sequence>(_ items: S) -> Labels where S.Element: StringProtocol {
        var out = Labels()
        for raw in items {
            let item = trimmed(Substring(raw))
            guard item != "-", let eq = item.firstIndex(of: "=") else { continue }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }

    /// Pairs from one `k=v,k=v` (or `;`-separated) string.
    public static func parse(_ text: String) -> Labels {
        parse(text.split(whereSeparator: { $0 == "," || $0 == ";" }))
    }

    /// Without leading and trailing blanks (what Foundation's `.whitespaces` trims: spaces and tabs, no newlines).
    static func trimmed(_ s: Substring) -> Substring {
        func blank(_ c: Character) -> Bool { c.isWhitespace && !c.isNewline }
        guard let first = s.firstIndex(where: { !blank($0) }) else { return "" }
        let last = s.lastIndex(where: { !blank($0) })!
        return s[first...last]
    }
}
