import FlowModel

/// An aligned plain-text table for the terminal. Cells taken from a capture are made terminal-safe
/// (`TerminalText`: control and format characters become `?`).
public struct TextTable: Sendable {
    public var headers: [String]
    /// Columns whose cells are right-aligned (numbers).
    public var rightAligned: Set<Int>
    public var rows: [[String]] = []

    public init(headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public static func safe(_ s: String) -> String { TerminalText.safe(s) }

    /// Display width: one column per Character (good enough for names, which are ASCII in practice).
    static func width(_ s: String) -> Int { s.count }

    public func render(indent: String = "  ") -> String {
        let cells = rows.map { $0.map(TextTable.safe) }
        var widths = headers.map(TextTable.width)
        for r in cells {
            for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], TextTable.width(c)) }
        }
        func line(_ r: [String]) -> String {
            var parts: [String] = []
            for (i, w) in widths.enumerated() {
                let c = i < r.count ? r[i] : ""
                let pad = String(repeating: " ", count: max(0, w - TextTable.width(c)))
                parts.append(rightAligned.contains(i) ? pad + c : (i == widths.count - 1 ? c : c + pad))
            }
            var s = indent + parts.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out = line(headers) + "\n"
        out += line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for r in cells { out += line(r) + "\n" }
        return out
    }
}
