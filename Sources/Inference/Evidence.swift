import FlowModel

/// Everything inference reads: the store's aggregated edges and what is known about each endpoint.
public struct Evidence: Sendable {
    public var edges: [ObservedEdge]
    public var l7: [EdgeKey: [L7Observation]]
    /// Distinct stable label sets per workload (all pods known, observed or from an inventory). A workload that
    /// appears only here (inventory, no flows) still takes part in selector choice: selectors must not match it.
    public var labelSets: [Endpoint: [Labels]]
    public var namespaceLabels: [String: Labels]
    /// DNS names per external endpoint.
    public var names: [Endpoint: [String]]
    /// Addresses per endpoint (pod IPs; kube-apiserver / node addresses for reserved entities). For
    /// `reserved:remote-node` and host-network workloads only the addresses the flows showed for them (never every
    /// known node's: that would admit nodes the evidence never showed, `hostNetworkPlacement`).
    public var addresses: [Endpoint: [String]]
    /// The node ends' addresses per connection (`FlowStore.connectionAddresses`, schema 13): a rule towards
    /// `reserved:remote-node` or a host-network workload admits only the addresses that connection showed
    /// (`PlanBuilder.nodeAddresses`). nil (evidence built by hand): `addresses` per endpoint, as given.
    public var connectionAddresses: ConnectionAddresses?
    /// Container ports per workload, from an inventory (pod specs / pod templates). List every known pod's
    /// ports, named or not (duplicates are fine): a name is used for a (protocol, port) only when every entry for
    /// that (protocol, port) of the workload carries the same non-empty name. Used with
    /// `InferenceOptions.namedPorts`.
    public var containerPorts: [Endpoint: [ContainerPort]]
    /// The owning controller's `spec.selector.matchLabels` per workload, from an inventory (only selectors without
    /// `matchExpressions`). Used with `InferenceOptions.selector` `.controller`.
    public var controllerSelectors: [Endpoint: Labels] = [:]
    /// The inventory's routes resolved to backend workloads and target ports (`Inventory.routeBackends`):
    /// admission webhooks name the API server's calls to them (`InferenceNote.webhookCall`).
    public var routeBackends: [RouteBackend] = []
    /// Workloads whose every inventoried pod runs in the host network (`hostNetwork: true`).
    public var hostNetwork: Set<Endpoint> = []
    /// The nodes each workload's inventoried pods ran on (absent: not known). A host-network peer is allowed as
    /// the traffic of its nodes; the owner's nodes tell Cilium's `host` (same node) from `remote-node`.
    public var workloadNodes: [Endpoint: Set<String>] = [:]
    /// Known addresses per node (its Node object's InternalIP / ExternalIP, its pods' `hostIP`, a host-network
    /// pod's IPs): which node an address observed for a host-network peer belongs to (`hostNetworkPlacement`).
    public var nodeAddresses: [String: [String]] = [:]
    /// Services flows to each destination endpoint were addressed to (`namespace/name[:port-name]`), from the
    /// store (`FlowStore.services`).
    public var services: [Endpoint: [String]] = [:]
    /// The inventory's Services (`FlowStore.inventory`): which pods each one selects, for `--services`
    /// (`InferenceOptions.services`). Empty without an inventory.
    public var inventoryServices: [InventoryService] = []

    public init(edges: [ObservedEdge], l7: [EdgeKey: [L7Observation]] = [:], labelSets: [Endpoint: [Labels]] = [:],
                namespaceLabels: [String: Labels] = [:], names: [Endpoint: [String]] = [:],
                addresses: [Endpoint: [String]] = [:], containerPorts: [Endpoint: [ContainerPort]] = [:]) {
        self.edges = edges
        self.l7 = l7
        self.labelSets = labelSets
        self.namespaceLabels = namespaceLabels
        self.names = names
        self.addresses = addresses
        self.containerPorts = containerPorts
    }
}

extension Evidence {
    /// Where a host-network workload was observed: the addresses its flows showed (`addresses`), by the node of
    /// the inventory each belongs to (among the workload's nodes, `workloadNodes`), "" for an observed address of
    /// no known node of it. Empty when no address of it was observed. A host-network peer is written as these
    /// addresses only (NetworkPolicy ipBlocks), and the evaluator replays it as these variants (generate's
    /// self-check, `check --host-network node`): never every address of every node it runs on, which would admit
    /// nodes the evidence never showed.
    /// `observed`: the addresses to place (one connection's, `PlanBuilder.nodeAddresses`); nil: every address
    /// observed for it.
    public func hostNetworkPlacement(_ ep: Endpoint, observed: [String]? = nil) -> [String: [String]] {
        Self.hostNetworkPlacement(observed: observed ?? addresses[ep] ?? [], nodes: workloadNodes[ep] ?? [],
                                  nodeAddresses: nodeAddresses)
    }

    /// `hostNetworkPlacement` from its parts (the policy verbs' store data has no `Evidence`).
    public static func hostNetworkPlacement(observed: [String], nodes: Set<String>, nodeAddresses: [String: [String]])
        -> [String: [String]] {
        var out = [String: [String]]()
        for a in Set(observed) where IPAddr(a) != nil {
            let node = nodes.sorted().first { (nodeAddresses[$0] ?? []).contains(a) } ?? ""
            out[node, default: []].append(a)
        }
        return out.mapValues { $0.sorted(by: CIDR.textOrder) }
    }
}

/// Knobs of inference.
public struct InferenceOptions: Sendable {
    /// Edges with fewer flows are left out (reported in a warning).
    public var minFlows: Int64 = 1
    /// Generate policies only for these namespaces (empty: all). Peers in other namespaces still get rules.
    public var namespaces: Set<String> = []
    public var excludeNamespaces: Set<String> = []
    /// Distinct internet sources on one port at which one `0.0.0.0/0` + `::/0` rule replaces the /32s.
    public var internetThreshold: Int = 16
    /// Use container port names (`port: http`) where the inventory knows them (`Evidence.containerPorts`).
    public var namedPorts: Bool = false
    /// Merge dense observed ports of one peer into `endPort` ranges (`PortRanges`); false: single ports only.
    public var portRanges: Bool = true
    /// ClusterMesh: the output flavour can name a peer's cluster (Cilium: `io.cilium.k8s.policy.cluster` in the
    /// endpoint selector). Off (NetworkPolicy, which cannot), peers of another cluster get no rule, a note and a
    /// warning: a podSelector would also admit local pods with the same labels (docs/topologies.md).
    public var clusterSelectors: Bool = false
    /// `--services` (Cilium >= 1.17): an egress rule to a workload whose flows were addressed to a Service that
    /// selects exactly that workload among the known ones (`Evidence.inventoryServices`) names the Service
    /// (`RulePlan.toService`, written as `toServices` k8sService); any other case keeps the endpoint selector
    /// with a note (`InferenceNote.serviceKept`). docs/topologies.md.
    public var services: Bool = false
    /// A range needs at least this many distinct observed ports ...
    public var portRangeMinPorts: Int = PortRanges.defaultMinPorts
    /// ... with at most this many unobserved ports between two neighbouring observed ones.
    public var portRangeMaxGap: Int = PortRanges.defaultMaxGap
    /// `controller`: a workload whose owning controller is known selects by the controller's `spec.selector`
    /// (volatile keys removed) when that selects exactly its known pods; otherwise, and with `minimal`, by the
    /// smallest stable label set that does (`SelectorChooser`).
    public var selector: SelectorMode = .controller

    public enum SelectorMode: String, Sendable, CaseIterable {
        case controller, minimal
    }

    /// Distinct literal values at one path position at which HTTP path segments collapse to `{any}`.
    public var pathCardinalityThreshold: Int = 8
    /// Namespaces of the cluster's own machinery (Kubernetes, CNI, service mesh, monitoring stack). A capture
    /// of minutes rarely shows all of their traffic (API server watches, upstream DNS, node agents), so they get
    /// no policies unless `includeSystem` or they are named in `namespaces`; a warning names what was left out.
    public var systemNamespaces: Set<String> = InferenceOptions.defaultSystemNamespaces
    public var includeSystem = false
    /// `baseline`: every namespace with an egress default-deny also gets `allow-dns` (all its pods to the cluster
    /// resolvers observed, UDP and TCP 53); `observed`: DNS only where it was observed.
    public var dns: DNSMode = .baseline

    public enum DNSMode: String, Sendable, CaseIterable {
        case baseline, observed
    }

    /// The default `systemNamespaces`.
    public static let defaultSystemNamespaces: Set<String> = [
        "kube-system", "kube-public", "kube-node-lease",  // Kubernetes
        "calico-system", "calico-apiserver", "tigera-operator", "kube-flannel", "cilium", "cilium-system",  // CNI
        "istio-system", "linkerd", "linkerd-viz",  // mesh
        "monitoring", "prometheus", "grafana",  // monitoring stack
    ]

    public init() {}
}

extension InferenceOptions {
    /// A system namespace takes part only with --include-system or when named in --namespace.
    public func leavesOutSystem(_ namespace: String) -> Bool {
        namespaces.isEmpty && !includeSystem && systemNamespaces.contains(namespace)
    }

    /// Whether a run with these options generates for `endpoint`'s namespace: inference and generate's
    /// self-check both judge by this one rule.
    /// Workloads of another cluster (`Endpoint.cluster`) are never included: their policies belong to their
    /// own cluster; here they are peers only.
    public func includes(_ endpoint: Endpoint) -> Bool {
        endpoint.kind == .workload && endpoint.cluster.isEmpty && (namespaces.isEmpty || namespaces.contains(endpoint.namespace))
            && !excludeNamespaces.contains(endpoint.namespace) && !leavesOutSystem(endpoint.namespace)
    }
}
