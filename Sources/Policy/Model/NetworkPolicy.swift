/// A validated networking.k8s.io/v1 NetworkPolicy with policyTypes already defaulted (A4).
public struct NetworkPolicy: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var podSelector: LabelSelector
    /// Effective directions: the declared list, or `[Ingress]` plus `Egress` when `egress` is non-empty (A4).
    public var policyTypes: Set<PolicyType>
    public var ingress: [NetworkPolicyRule]
    public var egress: [NetworkPolicyRule]
    public var location: SourceLocation?
    /// `metadata.labels["app.kubernetes.io/managed-by"]`, empty when absent: `flowmap` marks a generated policy
    /// (one allow policy per workload), which `check` holds to selecting that one workload.
    public var managedBy = ""

    public init(name: String, namespace: String = "default", podSelector: LabelSelector = .everything,
                policyTypes: Set<PolicyType>? = nil, ingress: [NetworkPolicyRule] = [],
                egress: [NetworkPolicyRule] = [], location: SourceLocation? = nil) {
        self.name = name
        self.namespace = namespace
        self.podSelector = podSelector
        self.policyTypes = policyTypes ?? NetworkPolicy.defaultPolicyTypes(egressRuleCount: egress.count)
        self.ingress = ingress
        self.egress = egress
        self.location = location
    }

    /// SetDefaults_NetworkPolicy: Ingress always, Egress only when there are egress rules.
    public static func defaultPolicyTypes(egressRuleCount: Int) -> Set<PolicyType> {
        egressRuleCount > 0 ? [.ingress, .egress] : [.ingress]
    }

    public func affects(_ direction: PolicyType) -> Bool { policyTypes.contains(direction) }

    /// `namespace/name`.
    public var qualifiedName: String { "\(namespace)/\(name)" }
}
