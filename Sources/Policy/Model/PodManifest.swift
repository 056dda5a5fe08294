import FlowModel

/// What the evaluator needs from a Pod object.
public struct PodManifest: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var labels: [String: String]
    /// The controller owner reference (`controller: true`, or the only owner), if any.
    public var ownerKind: String
    public var ownerName: String
    public var hostNetwork: Bool
    public var nodeName: String
    public var ips: [IPAddr]
    public var hostIP: IPAddr?
    public var containerPorts: [ContainerPort]
    public var location: SourceLocation?

    public init(name: String, namespace: String = "default", labels: [String: String] = [:], ownerKind: String = "",
                ownerName: String = "", hostNetwork: Bool = false, nodeName: String = "", ips: [IPAddr] = [],
                hostIP: IPAddr? = nil, containerPorts: [ContainerPort] = [], location: SourceLocation? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.ownerKind = ownerKind
        self.ownerName = ownerName
        self.hostNetwork = hostNetwork
        self.nodeName = nodeName
        self.ips = ips
        self.hostIP = hostIP
        self.containerPorts = containerPorts
        self.location = location
    }
}
