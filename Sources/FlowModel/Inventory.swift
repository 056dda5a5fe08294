/// What a Kubernetes inventory (`kubectl get namespaces,pods,services,endpointslices -A -o json`) tells about the
/// cluster: the facts IP-only flow formats (VPC flow logs, generic records with addresses) need to name pods, and
/// the label sets inference chooses selectors among.
public struct Inventory: Sendable, Hashable {
    /// Namespace labels by namespace name.
    public var namespaces: [String: Labels] = [:]
    public var pods: [InventoryPod] = []
    public var services: [InventoryService] = []
    /// Node name -> addresses (InternalIP/ExternalIP of Node objects, and the `hostIP` of pods on the node).
    public var nodes: [String: Set<String>] = [:]
    /// Node name -> labels, for the nodes whose Node object was read (admin-tier `nodes` peers select by them);
    /// a node known only from pods' `hostIP` has none here: its labels are unknown.
    public var nodeLabels: [String: Labels] = [:]
    /// Pod controllers with their selectors, one per workload, sorted by workload.
    public var controllers: [InventoryController] = []
    /// Ingress, Gateway API and admission webhook entries (schema 11), sorted.
    public var routes: [InventoryRoute] = []

    public init() {}

    public var isEmpty: Bool {
        namespaces.isEmpty && pods.isEmpty && services.isEmpty && nodes.isEmpty && controllers.isEmpty
            && routes.isEmpty
    }

    /// Adds `other` (a later or separate snapshot). Pods are identified by namespace, name and uid.
    public mutating func merge(_ other: Inventory) {
        for (k, v) in other.namespaces { namespaces[k] = v }
        var index = [InventoryPod.Key: Int]()
        for (i, p) in pods.enumerated() { index[p.key] = i }
        for p in other.pods {
            if let i = index[p.key] {
                var merged = p
                if merged.until == nil { merged.until = pods[i].until }
                merged.from = min(merged.from, pods[i].from)
                pods[i] = merged
            } else {
                index[p.key] = pods.count
                pods.append(p)
            }
        }
        var sindex = [String: Int]()
        for (i, s) in services.enumerated() { sindex[s.namespace + "/" + s.name] = i }
        for s in other.services {
            if let i = sindex[s.namespace + "/" + s.name] { services[i] = s } else {
                sindex[s.namespace + "/" + s.name] = services.count
                services.append(s)
            }
        }
        for (n, a) in other.nodes { nodes[n, default: []].formUnion(a) }
        for (n, l) in other.nodeLabels { nodeLabels[n] = l }  // a later Node object's labels replace the earlier
        // A later snapshot's selector replaces the earlier one (selectors are immutable, but a controller can be
        // deleted and recreated under the same name).
        var byWorkload = Dictionary(controllers.map { ($0.workload, $0) }) { _, b in b }
        for c in other.controllers { byWorkload[c.workload] = c }
        controllers = byWorkload.values.sorted { $0.workload < $1.workload }
        // A later snapshot naming a route object replaces all of its entries (rules are edited in place).
        let replaced = Set(other.routes.map(\.object))
        routes = (routes.filter { !replaced.contains($0.object) } + other.routes).sorted()
    }
}

/// One pod of the inventory, with the window in which its IPs belonged to it.
public struct InventoryPod: Sendable, Hashable {
    public struct Key: Hashable, Sendable {
        public var namespace: String, name: String, uid: String
    }

    public var namespace: String
    public var name: String
    public var uid: String
    /// The workload the pod belongs to (ReplicaSet owners are resolved to their Deployment).
    public var workload: Endpoint
    /// All labels as on the pod (volatile ones included; `VolatileLabels.stable` removes them).
    public var labels: Labels
    /// Pod IPs (`status.podIPs`); for a host-network pod these are its node's addresses.
    public var ips: [String]
    public var node: String
    public var hostIP: String
    public var hostNetwork: Bool
    public var ports: [ContainerPort]
    /// Nanoseconds: when the pod got its IP (`status.startTime`, else `metadata.creationTimestamp`).
    public var from: Int64
    /// Nanoseconds: when it stopped holding it (deletion, or the last container's finish for a completed pod);
    /// nil while it still runs.
    public var until: Int64?

    public init(namespace: String, name: String, uid: String = "", workload: Endpoint, labels: Labels = [:],
                ips: [String] = [], node: String = "", hostIP: String = "", hostNetwork: Bool = false,
                ports: [ContainerPort] = [], from: Int64 = 0, until: Int64? = nil) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.workload = workload
        self.labels = labels
        self.ips = ips
        self.node = node
        self.hostIP = hostIP
        self.hostNetwork = hostNetwork
        self.ports = ports
        self.from = from
        self.until = until
    }

    public var key: Key { Key(namespace: namespace, name: name, uid: uid) }

    /// True when the pod held its IPs at `time` (nanoseconds).
    public func holds(at time: Int64) -> Bool {
        from <= time && (until.map { time <= $0 } ?? true)
    }
}

/// A Service port: what clients connect to and where it lands on the backends.
public struct ServicePort: Sendable, Hashable, Comparable {
    public var name: String
    public var proto: Proto
    public var port: UInt16
    /// Numeric target port; 0 when the target is a named container port (`targetPortName`).
    public var targetPort: UInt16
    public var targetPortName: String

    public init(name: String = "", proto: Proto, port: UInt16, targetPort: UInt16, targetPortName: String = "") {
        self.name = name
        self.proto = proto
        self.port = port
        self.targetPort = targetPort
        self.targetPortName = targetPortName
    }

    public static func < (a: ServicePort, b: ServicePort) -> Bool { (a.proto, a.port) < (b.proto, b.port) }
}

/// A Service with its ClusterIPs, selector, ports and (from EndpointSlices) backend addresses.
public struct InventoryService: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var clusterIPs: [String]
    /// Empty for a Service without selector (its backends come from EndpointSlices only).
    public var selector: Labels
    public var ports: [ServicePort]
    /// Backend pod addresses from EndpointSlices.
    public var backendIPs: [String]

    public init(namespace: String, name: String, clusterIPs: [String] = [], selector: Labels = [:],
                ports: [ServicePort] = [], backendIPs: [String] = []) {
        self.namespace = namespace
        self.name = name
        self.clusterIPs = clusterIPs
        self.selector = selector
        self.ports = ports
        self.backendIPs = backendIPs
    }
}
