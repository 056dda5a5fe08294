/// A problem with one record of an input, located so a user can find and fix it.
public struct InputIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line number; 0 when the problem concerns the whole input.
    public var line: Int
    /// JSON path or column name, empty when not specific to a field.
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String = "", message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `file:line: field: message`, the form compilers use so editors can jump to it.
    public var description: String { Self.located(file: file, line: line, [field], message: message) }

    /// `file:line: part: …: message`: the line left out when 0, and the empty parts. The one form of every
    /// located problem's text (`ManifestIssue` too).
    public static func located(file: String, line: Int, _ parts: [String], message: String) -> String {
        var s = file
        if line > 0 { s += ":\(line)" }
        for p in parts where !p.isEmpty { s += ": " + p }
        return s + ": " + message
    }
}
