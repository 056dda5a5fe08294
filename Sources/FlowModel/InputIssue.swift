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
    public var description: String {
        var s = file
        if line > 0 { s += ":\(line)" }
        s += ": "
        if !field.isEmpty { s += "\(field): " }
        return s + message
    }
}
