import FlowModel

/// A workload controller (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) and its pod template.
public struct ControllerManifest: Sendable, Hashable {
    public var kind: String
    public var name: String
    public var namespace: String
    public var templateLabels: [String: String]
    public var containerPorts: [ContainerPort]
    public var hostNetwork: Bool
    /// Controller owner of this controller (a ReplicaSet's Deployment, a Job's CronJob), if any.
    public var ownerKind: String
    public var ownerName: String
    public var location: SourceLocation?

    public static let kinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
                                            "ReplicationController"]

    public init(kind: String, name: String, namespace: String = "default", templateLabels: [String: String] = [:],
                containerPorts: [ContainerPort] = [], hostNetwork: Bool = false, ownerKind: String = "",
                ownerName: String = "", location: SourceLocation? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.templateLabels = templateLabels
        self.containerPorts = containerPorts
        self.hostNetwork = hostNetwork
        self.ownerKind = ownerKind
        self.ownerName = ownerName
        self.location = location
    }
}
