import FlowModel

/// The evaluator's unit: the pods of one workload (grouped by owner controller as netpol-analyzer does) that
/// share one label set. A workload whose replicas or history show several label sets has several `Workload`
/// values with the same `endpoint`; answers for the endpoint are then the intersection (what holds for all).
public struct Workload: Sendable, Hashable {
    /// Shared identity with the flow store: `.workload(namespace, name, kind:)`.
    public var endpoint: Endpoint
    public var labels: [String: String]
    public var containerPorts: [ContainerPort]
    /// Pod IPs (used only when ipBlocks match pod IPs, E3, or for host-network pods treated as node traffic).
    public var ips: [IPAddr]
    public var hostNetwork: Bool
    /// Node the pods run on, when known (own-node traffic is always allowed, B5).
    public var nodeName: String

    public init(endpoint: Endpoint, labels: [String: String] = [:], containerPorts: [ContainerPort] = [],
                ips: [IPAddr] = [], hostNetwork: Bool = false, nodeName: String = "") {
        self.endpoint = endpoint
        self.labels = labels
        self.containerPorts = containerPorts
        self.ips = ips
        self.hostNetwork = hostNetwork
        self.nodeName = nodeName
    }

    public var namespace: String { endpoint.namespace }

    /// Port number of the named container port with this protocol, if any (F5).
    public func resolve(portName: String, proto: Proto) -> Int? {
        containerPorts.first { $0.name == portName && $0.proto == proto }.map { Int($0.port) }
    }
}
