/// Text safe inside a Markdown table cell of a pull-request comment: pipes escaped, no line breaks, no HTML.
enum MarkdownText {
    static func cell(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "`": out += "\\`"
            case "\n", "\r", "\t": out += " "
            default: out.append(ch)
            }
        }
        return out
    }

    /// A collapsed section of a pull-request comment (`check` and `diff` write theirs through this): `<details>`
    /// with `summary`, a table of `columns` (`alignments` is each column's `---` / `---:` cell) and `rows`, then
    /// the line `more` for rows left out, when given.
    static func details(_ summary: String, columns: [String], alignments: [String], rows: [[String]],
                        more: String?) -> String {
        var s = "\n<details><summary>\(summary)</summary>\n\n"
        s += "| " + columns.joined(separator: " | ") + " |\n"
        s += "|" + alignments.joined(separator: "|") + "|\n"
        for r in rows { s += "| " + r.joined(separator: " | ") + " |\n" }
        if let more { s += "\n\(more)\n" }
        return s + "\n</details>\n"
    }
}
