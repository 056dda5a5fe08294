import FlowModel

/// `toServices[]`: a Kubernetes Service by name (`k8sService`) or by its labels (`k8sServiceSelector`); the
/// namespace defaults to the policy's (CV1). Matched against the services given to the evaluator.
public struct CiliumServiceSelector: Sendable, Hashable {
    public var name: String?
    public var selector: LabelSelector?
    /// Empty: any namespace (only for a clusterwide policy's selector form).
    public var namespace: String

    public init(name: String? = nil, selector: LabelSelector? = nil, namespace: String = "") {
        self.name = name
        self.selector = selector
        self.namespace = namespace
    }

    public func matches(_ s: CiliumService) -> Bool {
        if !namespace.isEmpty && s.namespace != namespace { return false }
        if let name { return s.name == name }
        if let selector { return selector.matches(s.labels) }
        return false
    }
}

/// A Kubernetes Service as the evaluator knows it: its labels and the workloads and addresses behind it.
public struct CiliumService: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var labels: [String: String]
    /// Workload selector (`spec.selector`); nil for a service without selector (backends by address).
    public var selector: [String: String]?
    public var addresses: [IPAddr]

    public init(name: String, namespace: String, labels: [String: String] = [:], selector: [String: String]? = nil,
                addresses: [IPAddr] = []) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.selector = selector
        self.addresses = addresses
    }
}
