@testable import Policy
import Testing

/// Issue 21: Markdown table cells go through the one escaper (`TextEscaper`) scalar by scalar.
@Suite("Markdown cells")
struct MarkdownCellTests {
    @Test("a CRLF line break and a pipe carrying a combining mark cannot end a table row or cell")
    func scalarsNotCharacters() {
        // "\r\n" and "|\u{301}" are one Character each; escaping by Character let both through raw.
        #expect(MarkdownText.cell("web\r\nx") == "web  x")
        #expect(MarkdownText.cell("a|\u{301}b") == "a\\|\u{301}b")
        #expect(MarkdownText.cell("<\u{301}script>") == "&lt;\u{301}script&gt;")
        #expect(MarkdownText.cell("ns/a|b`c`&d\te") == "ns/a\\|b\\`c\\`&amp;d e")
    }
}
