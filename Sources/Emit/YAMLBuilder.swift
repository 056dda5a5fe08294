/// Builds YAML text line by line with explicit indentation, as bytes; scalars go through `YAMLText`.
struct YAMLBuilder {
    var out: ByteText

    init(sink: EmittedFile.Sink? = nil) { out = ByteText(sink: sink) }

    var text: String { out.text }

    mutating func line(_ indent: Int, _ content: String, comment: String? = nil) {
        out.spaces(indent)
        out.append(content)
        end(comment)
    }

    /// The optional comment and the line break.
    private mutating func end(_ comment: String?) {
        if let c = comment, !c.isEmpty {
            out.append("  # " as StaticString)
            out.append(YAMLText.comment(c))
        }
        out.append(0x0A)
    }

    mutating func comment(_ indent: Int, _ c: String) {
        out.spaces(indent)
        out.append("# " as StaticString)
        out.append(YAMLText.comment(c))
        out.append(0x0A)
    }

    /// A scalar, quoted as needed (`YAMLText.scalar`).
    mutating func scalar(_ s: String) {
        if YAMLText.needsQuotes(s) { out.append(YAMLText.quoted(s)) } else { out.append(s) }
    }

    /// `key: value` with the value quoted as needed.
    mutating func pair(_ indent: Int, _ key: String, _ value: String, comment: String? = nil) {
        out.spaces(indent)
        scalar(key)
        out.append(": " as StaticString)
        scalar(value)
        end(comment)
    }

    /// `- key: value`, the first pair of a list item, with the value quoted as needed.
    mutating func itemPair(_ indent: Int, _ key: String, _ value: String, comment: String? = nil) {
        out.spaces(indent)
        out.append("- " as StaticString)
        pair(0, key, value, comment: comment)
    }

    /// `- value`, a list item, quoted as needed.
    mutating func item(_ indent: Int, _ value: String) {
        out.spaces(indent)
        out.append("- " as StaticString)
        scalar(value)
        out.append(0x0A)
    }

    /// A `matchLabels` map, keys sorted.
    mutating func labels(_ indent: Int, _ labels: [String: String]) {
        if labels.count == 1, let (k, v) = labels.first { pair(indent, k, v); return }
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) { pair(indent, k, v) }
    }

    mutating func raw(_ s: String) { out.append(s) }
}
