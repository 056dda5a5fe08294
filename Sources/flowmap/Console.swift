#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import FlowMapKit

/// stdout for results, stderr for diagnostics: the one printer of everything a verb shows. Text taken from a
/// capture or a manifest reaches the terminal only through it, made safe (`TerminalText`: no control, bidi or
/// other format character); JSON keeps its content, with such characters as `\u` escapes.
enum Console {
    /// A line of text on stdout.
    static func out(_ s: String) { print(TerminalText.safe(s, keepLineBreaks: true)) }

    /// Live output (watch) goes out line by line even into a pipe.
    static func flush() { fflush(nil) }

    /// Now, not when the buffer fills: for a line that must come before the work that follows it.
    static func outNow(_ s: String) {
        out(s)
        fflush(stdout)
    }

    /// A verb's result in `format`, as rendered (it ends with its own newline).
    static func result(_ s: String, _ format: ResultFormat) {
        switch format {
        case .json: print(TerminalText.escapedJSON(s), terminator: "")
        case .yaml: print(s, terminator: "")  // non-ASCII is already escaped (`ResultText.yaml`)
        case .text, .md: print(TerminalText.safe(s, keepLineBreaks: true), terminator: "")
        }
    }

    /// A file format written to stdout as is (map's html, dot, mermaid; generate's YAML stream): each renderer
    /// escapes capture text in its own syntax.
    static func document(_ s: String) { print(s, terminator: "") }

    static func error(_ s: String) {
        let line = Array((TerminalText.safe(s, keepLineBreaks: true) + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
