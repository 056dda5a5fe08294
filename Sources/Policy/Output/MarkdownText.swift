import FlowModel

/// Text safe inside a Markdown table cell of a pull-request comment: pipes escaped, no line breaks, no HTML.
/// Scalar by scalar (`TextEscaper`), so neither `\r\n` nor a pipe with a combining mark gets through whole.
enum MarkdownText {
    static let cell = TextEscaper(["|": "\\|", "<": "&lt;", ">": "&gt;", "&": "&amp;", "`": "\\`",
                                   "\n": " ", "\r": " ", "\t": " "])

    /// One table row, `| a | b |`, and its line break.
    static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }

    /// A collapsed section of a pull-request comment (`check` and `diff` write theirs through this): `<details>`
    /// with `summary`, a table of `columns` (`alignments` is each column's `---` / `---:` cell) and `rows`, then
    /// the line `more` for rows left out, when given.
    static func details(_ summary: String, columns: [String], alignments: [String], rows: [[String]],
                        more: String?) -> String {
        var s = "\n<details><summary>\(summary)</summary>\n\n"
        s += row(columns) + "|" + alignments.joined(separator: "|") + "|\n" + rows.map(row).joined()
        if let more { s += "\n\(more)\n" }
        return s + "\n</details>\n"
    }
}
