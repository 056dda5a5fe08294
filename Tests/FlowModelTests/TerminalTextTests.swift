import Foundation
import FlowModel
import Testing

/// Issue 21: one terminal-safe rule for everything capture-derived that reaches a terminal.
@Suite("Terminal text")
struct TerminalTextTests {
    @Test("bidi overrides, isolates, zero-width and other format characters (Cf) never reach a terminal")
    func formatCharacters() {
        // U+202E would show `web\u{202E}exe.gnp` as "webpng.exe".
        #expect(TerminalText.safe("web\u{202E}exe.gnp") == "web?exe.gnp")
        for cf in ["\u{202A}", "\u{202D}", "\u{2066}", "\u{2069}", "\u{200B}", "\u{200F}", "\u{061C}", "\u{FEFF}", "\u{00AD}"] {
            #expect(TerminalText.safe("a\(cf)b") == "a?b", "U+\(String(cf.unicodeScalars.first!.value, radix: 16))")
        }
        #expect(TerminalText.safe("\u{1B}[31mred\u{7}\u{85}\u{2028}") == "?[31mred???")
    }

    @Test("whole outputs keep their line breaks; cells do not; names in other scripts stay")
    func lineBreaksAndScripts() {
        #expect(TerminalText.safe("a\nb\tc") == "a?b?c")
        #expect(TerminalText.safe("a\nb\tc\u{202E}", keepLineBreaks: true) == "a\nb\tc?")
        #expect(TerminalText.safe("café/日本-ü", keepLineBreaks: true) == "café/日本-ü")
    }

    @Test("JSON keeps its content: unsafe scalars become \\u escapes")
    func json() {
        #expect(TerminalText.escapedJSON("{\"n\": \"web\u{202E}exe\"}\n") == "{\"n\": \"web\\u202eexe\"}\n")
        #expect(TerminalText.escapedJSON("{\"n\": \"café\"}") == "{\"n\": \"café\"}")
        // Above U+FFFF a JSON escape is a surrogate pair; `\ue0041` would read back as U+E004 followed by `1`.
        let tagged = TerminalText.escapedJSON("[\"web\u{E0041}x\"]")
        #expect(tagged == "[\"web\\udb40\\udc41x\"]")
        let back = try? JSONSerialization.jsonObject(with: Data(tagged.utf8)) as? [String]
        #expect(back == ["web\u{E0041}x"])
    }
}
