import FlowModel

/// A rejected manifest field, located the way a user finds it: file, document index, field path (and line when
/// known), with the API server's wording where it has one.
public struct ManifestIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 0-based index of the YAML document in the file (or of the item in a `kind: List`, see `item`).
    public var document: Int
    /// Field path such as `spec.ingress[0].from[1].ipBlock.except[0]`; a List item's path starts `items[3].`.
    public var path: String
    public var line: Int
    /// `namespace/name` of the object when known.
    public var object: String
    public var message: String

    public init(file: String, document: Int, path: String, line: Int = 0, object: String = "", message: String) {
        self.file = file
        self.document = document
        self.path = path
        self.line = line
        self.object = object
        self.message = message
    }

    /// `file:line: document N: NetworkPolicy ns/name: spec.x: message`.
    public var description: String {
        InputIssue.located(file: file, line: line, [document >= 0 ? "document \(document)" : "", object, path],
                           message: message)
    }
}
