/// What kind of peer an endpoint is.
public enum EndpointKind: String, Sendable, Hashable, Comparable, Codable {
    /// A pod, collapsed into its workload (Deployment, StatefulSet, DaemonSet, Job, bare Pod ...).
    case workload
    /// A Cilium reserved identity: world, host, remote-node, kube-apiserver, health, init, unmanaged, ingress.
    case reserved
    /// An address outside the cluster (or one nothing maps to a pod): `name` holds the IP.
    case external

    public static func < (a: EndpointKind, b: EndpointKind) -> Bool { a.rawValue < b.rawValue }
}

/// A stable identity on one end of a flow. Replicas, restarts and rollouts of one workload share one Endpoint:
/// pod names and volatile labels are deliberately not part of it.
public struct Endpoint: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var kind: EndpointKind
    /// Kubernetes namespace; empty for reserved and external peers.
    public var namespace: String
    /// Workload name, reserved entity name (`world`, `host` ...) or IP address.
    public var name: String
    /// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod; empty when not a workload.
    public var workloadKind: String
    /// Cilium ClusterMesh: the cluster of a workload of *another* cluster (Hubble `cluster_name`, label
    /// `io.cilium.k8s.policy.cluster`); empty for the local cluster and for every non-workload peer. Peers of
    /// another cluster are distinct endpoints: never merged with local workloads of the same name
    /// (docs/topologies.md).
    public var cluster: String = ""

    public init(kind: EndpointKind, namespace: String = "", name: String, workloadKind: String = "",
                cluster: String = "") {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.workloadKind = workloadKind
        self.cluster = cluster
    }

    /// True for a workload of another cluster of a ClusterMesh.
    public var isRemote: Bool { !cluster.isEmpty }

    public static func workload(_ namespace: String, _ name: String, kind: String, cluster: String = "") -> Endpoint {
        Endpoint(kind: .workload, namespace: namespace, name: name, workloadKind: kind, cluster: cluster)
    }
    public static func reserved(_ entity: String) -> Endpoint { Endpoint(kind: .reserved, name: entity) }
    public static func external(_ ip: String) -> Endpoint { Endpoint(kind: .external, name: ip) }

    /// One-line text key, unique per endpoint: `ns/Kind/name` (`ns/Kind/name@cluster` for another cluster),
    /// `reserved:host`, `ip:1.2.3.4`.
    public var key: String {
        switch kind {
        case .workload: return "\(namespace)/\(workloadKind)/\(name)" + (cluster.isEmpty ? "" : "@\(cluster)")
        case .reserved: return "reserved:\(name)"
        case .external: return "ip:\(name)"
        }
    }

    /// Human form in netpol-analyzer's style: `ns/name[Deployment]` (`ns/name[Deployment]@cluster` for another
    /// cluster), `reserved:world`, `1.2.3.4`.
    public var description: String {
        switch kind {
        case .workload: return "\(namespace)/\(name)[\(workloadKind)]" + (cluster.isEmpty ? "" : "@\(cluster)")
        case .reserved: return "reserved:\(name)"
        case .external: return name
        }
    }

    /// Hashes only the name and namespace: endpoints that differ only in kind or workload kind are rare, and
    /// equality still compares every field. Endpoints key most dictionaries of ingest and inference, and the
    /// synthesized hash (five strings, `kind` through its raw value) dominated their profiles.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(namespace)
    }

    public static func < (a: Endpoint, b: Endpoint) -> Bool {
        if a.cluster != b.cluster { return a.cluster < b.cluster }  // local ("") first
        return (a.kind, a.namespace, a.name, a.workloadKind) < (b.kind, b.namespace, b.name, b.workloadKind)
    }

    enum CodingKeys: String, CodingKey { case kind, namespace, name, workloadKind, cluster }

    /// `cluster` only when set, so local endpoints encode as before.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(EndpointKind.self, forKey: .kind)
        namespace = try c.decode(String.self, forKey: .namespace)
        name = try c.decode(String.self, forKey: .name)
        workloadKind = try c.decode(String.self, forKey: .workloadKind)
        cluster = try c.decodeIfPresent(String.self, forKey: .cluster) ?? ""
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(name, forKey: .name)
        try c.encode(workloadKind, forKey: .workloadKind)
        if !cluster.isEmpty { try c.encode(cluster, forKey: .cluster) }
    }
}

extension Endpoint {
    /// Workload kind of a pod known only by its labels (a Hubble endpoint with labels and a namespace but no pod
    /// name); inference resolves it to the workload those labels select (`StandIns`).
    public static let labelIdentityKind = "LabelIdentity"
}
