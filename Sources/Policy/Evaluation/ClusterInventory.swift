import FlowModel

/// The workloads and namespaces an evaluation runs over: from manifests (Pods and controllers), from the flow
/// store (observed workloads with their label sets and addresses), or both. A workload present in both takes
/// the manifest's version (it has container ports for named ports); store-only workloads get one variant per
/// observed label set.
public struct ClusterInventory: Sendable {
    public var workloads: [Workload]
    public var namespaces: [ClusterNamespace]
    /// The store's nodes, sorted by name (manifests carry none).
    public var nodes: [ClusterNode]
    /// The store's inventoried Services, for Cilium `toServices` (CV1).
    public var services: [CiliumService] = []

    public init(workloads: [Workload] = [], namespaces: [ClusterNamespace] = [], nodes: [ClusterNode] = []) {
        self.workloads = workloads
        self.namespaces = namespaces
        self.nodes = nodes
    }

    /// Store data as read from FlowStore: label sets, addresses and namespace labels per endpoint.
    public struct StoreData: Sendable {
        public var labelSets: [Endpoint: [Labels]]
        public var addresses: [Endpoint: [String]]
        public var namespaceLabels: [String: Labels]
        /// Endpoints seen on edges (a workload with no label set still exists).
        public var endpoints: [Endpoint]
        /// The inventory's nodes, sorted by name.
        public var nodes: [ClusterNode]
        /// The node a workload's inventoried pods all ran on (own-node traffic, B5 and T10); absent when several.
        public var workloadNodes: [Endpoint: String]
        /// The inventory's Services (Cilium `toServices`, CV1), sorted by namespace and name.
        public var services: [CiliumService] = []
        /// Workloads whose every inventoried pod runs in the host network (G1), with the nodes they run on and
        /// each node's known addresses: one workload variant per node and address (`hostNetwork`, `nodeName`,
        /// `ips` that one address), so an edge is allowed only when it is from (to) each of them.
        public var hostNetwork: [Endpoint: [String: [IPAddr]]] = [:]
        /// The node ends' addresses per connection (`FlowStore.connectionAddresses`): an edge with a node end
        /// (`reserved:remote-node`, a host-network workload) is evaluated from (to) the addresses it showed, not
        /// every address of the peer (`PolicyCheck.peers`). nil: per endpoint (`addresses`).
        public var connectionAddresses: ConnectionAddresses?

        public init(labelSets: [Endpoint: [Labels]] = [:], addresses: [Endpoint: [String]] = [:],
                    namespaceLabels: [String: Labels] = [:], endpoints: [Endpoint] = [], nodes: [ClusterNode] = [],
                    workloadNodes: [Endpoint: String] = [:]) {
            self.labelSets = labelSets
            self.addresses = addresses
            self.namespaceLabels = namespaceLabels
            self.endpoints = endpoints
            self.nodes = nodes
            self.workloadNodes = workloadNodes
        }
    }

    public static func build(manifests: ManifestSet?, store: StoreData?) -> ClusterInventory {
        var inv = ClusterInventory()
        var nsLabels: [String: [String: String]] = [:]
        var have = Set<Endpoint>()
        if let m = manifests {
            inv.workloads = WorkloadBuilder.workloads(from: m)
            have = Set(inv.workloads.map(\.endpoint))
            for (k, v) in m.namespaces { nsLabels[k] = v.labels }
        }
        if let s = store {
            inv.nodes = s.nodes
            inv.services = s.services
            for (k, v) in s.namespaceLabels where nsLabels[k] == nil { nsLabels[k] = v }
            var eps = Set(s.endpoints.filter { $0.kind == .workload })
            eps.formUnion(s.labelSets.keys.filter { $0.kind == .workload })
            for ep in eps.sorted() where !have.contains(ep) {
                let ips = (s.addresses[ep] ?? []).compactMap { IPAddr($0) }
                let sets = s.labelSets[ep] ?? []
                if let placed = s.hostNetwork[ep] {
                    for labels in sets.isEmpty ? [[:]] : sets {
                        if placed.isEmpty { inv.workloads.append(Workload(endpoint: ep, labels: labels, hostNetwork: true)) }
                        for node in placed.keys.sorted() {
                            let addresses = placed[node]!.map { [$0] }
                            for a in addresses.isEmpty ? [[]] : addresses {
                                inv.workloads.append(Workload(endpoint: ep, labels: labels, ips: a, hostNetwork: true,
                                                              nodeName: node))
                            }
                        }
                    }
                    continue
                }
                for labels in sets.isEmpty ? [[:]] : sets {
                    inv.workloads.append(Workload(endpoint: ep, labels: labels, ips: ips,
                                                  nodeName: s.workloadNodes[ep] ?? ""))
                }
            }
        }
        inv.namespaces = nsLabels.keys.sorted().map { ClusterNamespace(name: $0, labels: nsLabels[$0]!) }
        return inv
    }
}
