/// Where a manifest object came from: file (or `-` for stdin), 0-based document index, and the 1-based line
/// of the object (0 when unknown, as for JSON input).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var document: Int
    public var line: Int

    public init(file: String, document: Int, line: Int = 0) {
        self.file = file
        self.document = document
        self.line = line
    }

    public var description: String {
        line > 0 ? "\(file):\(line) (document \(document))" : "\(file) (document \(document))"
    }
}
