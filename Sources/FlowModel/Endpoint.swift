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

    public init(kind: EndpointKind, namespace: String = "", name: String, workloadKind: String = "") {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.workloadKind = workloadKind
    }

    public static func workload(_ namespace: String, _ name: String, kind: String) -> Endpoint {
        Endpoint(kind: .workload, namespace: namespace, name: name, workloadKind: kind)
    }
    public static func reserved(_ entity: String) -> Endpoint { Endpoint(kind: .reserved, name: entity) }
    public static func external(_ ip: String) -> Endpoint { Endpoint(kind: .external, name: ip) }

    /// One-line text key, unique per endpoint: `ns/Kind/name`, `reserved:host`, `ip:1.2.3.4`.
    public var key: String {
        switch kind {
        case .workload: return "\(namespace)/\(workloadKind)/\(name)"
        case .reserved: return "reserved:\(name)"
        case .external: return "ip:\(name)"
        }
    }

    /// Human form in netpol-analyzer's style: `ns/name[Deployment]`, `reserved:world`, `1.2.3.4`.
    public var description: String {
        switch kind {
        case .workload: return "\(namespace)/\(name)[\(workloadKind)]"
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
        (a.kind, a.namespace, a.name, a.workloadKind) < (b.kind, b.namespace, b.name, b.workloadKind)
    }
}

extension Endpoint {
    /// Workload kind of a pod known only by its labels (a Hubble endpoint with labels and a namespace but no pod
    /// name); inference resolves it to the workload those labels select (`StandIns`).
    public static let labelIdentityKind = "LabelIdentity"
}
