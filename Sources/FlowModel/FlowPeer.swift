/// One end of a decoded flow: the stable endpoint plus what was observed about the pod behind it.
public struct FlowPeer: Sendable, Hashable {
    public var endpoint: Endpoint
    /// Pod labels (Kubernetes-sourced only, without source prefixes such as `k8s:`).
    public var labels: Labels
    /// Labels of the pod's namespace when the format carries them.
    public var namespaceLabels: Labels
    /// Replica-specific pod name; kept for messages only, never for selectors.
    public var podName: String
    /// IP address seen on the wire for this end.
    public var ip: String
    /// DNS names the address resolved to (Hubble `source_names` / `destination_names`).
    public var names: [String]
    /// A host-network pod (the inventory says so): `ip` is its node's address, kept per connection
    /// (`EdgeAddresses`).
    public var hostNetwork: Bool

    public init(endpoint: Endpoint, labels: Labels = [:], namespaceLabels: Labels = [:], podName: String = "",
                ip: String = "", names: [String] = [], hostNetwork: Bool = false) {
        self.endpoint = endpoint
        self.labels = labels
        self.namespaceLabels = namespaceLabels
        self.podName = podName
        self.ip = ip
        self.names = names
        self.hostNetwork = hostNetwork
    }
}
