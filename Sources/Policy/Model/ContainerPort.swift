import FlowModel

/// A container port of a pod; the names are what named policy ports resolve against (F5).
public struct ContainerPort: Sendable, Hashable {
    public var name: String
    public var port: Int
    public var proto: Proto

    public init(name: String = "", port: Int, proto: Proto = .tcp) {
        self.name = name
        self.port = port
        self.proto = proto
    }
}
