/// Builds YAML text line by line with explicit indentation; scalars go through `YAMLText`.
struct YAMLBuilder {
    private(set) var text = ""

    mutating func line(_ indent: Int, _ content: String, comment: String? = nil) {
        text += String(repeating: " ", count: indent) + content
        if let c = comment, !c.isEmpty { text += "  # " + YAMLText.comment(c) }
        text += "\n"
    }

    mutating func comment(_ indent: Int, _ c: String) {
        text += String(repeating: " ", count: indent) + "# " + YAMLText.comment(c) + "\n"
    }

    /// `key: value` with the value quoted as needed.
    mutating func pair(_ indent: Int, _ key: String, _ value: String, comment: String? = nil) {
        line(indent, "\(YAMLText.scalar(key)): \(YAMLText.scalar(value))", comment: comment)
    }

    /// `- key: value`, the first pair of a list item, with the value quoted as needed.
    mutating func itemPair(_ indent: Int, _ key: String, _ value: String, comment: String? = nil) {
        line(indent, "- \(YAMLText.scalar(key)): \(YAMLText.scalar(value))", comment: comment)
    }

    /// A `matchLabels` map, keys sorted.
    mutating func labels(_ indent: Int, _ labels: [String: String]) {
        for k in labels.keys.sorted() { pair(indent, k, labels[k]!) }
    }

    mutating func raw(_ s: String) { text += s }
}
