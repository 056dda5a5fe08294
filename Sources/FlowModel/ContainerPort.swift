/// A container port of a pod (`spec.containers[].ports[]` and `initContainers`), the one type every stage uses:
/// the inventory reader and the manifest decoder write it, the store keeps it, inference names ports with it
/// (`port: http`) and the evaluator resolves named policy ports and Service `targetPort` names against it (F5).
/// `proto` defaults to TCP, as in Kubernetes; `name` is empty for an unnamed port.
public struct ContainerPort: Sendable, Hashable, Comparable, Codable {
    public var name: String
    public var proto: Proto
    public var port: UInt16

    public init(name: String = "", proto: Proto = .tcp, port: UInt16) {
        self.name = name
        self.proto = proto
        self.port = port
    }

    public static func < (a: ContainerPort, b: ContainerPort) -> Bool {
        (a.proto, a.port, a.name) < (b.proto, b.port, b.name)
    }

    /// `containerPort` as a port number, or the API server's message for a value it rejects (outside 1-65535).
    /// Readers skip such a port with a located warning and keep the pod.
    public static func number(_ n: Int) -> Result<UInt16, Problem> {
        (1...65535).contains(n) ? .success(UInt16(n)) : .failure(Problem(value: n))
    }

    /// A `containerPort` value outside 1-65535.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var value: Int
        public var description: String {
            "Invalid value: \(value): must be between 1 and 65535, inclusive; the port is left out"
        }
    }
}
