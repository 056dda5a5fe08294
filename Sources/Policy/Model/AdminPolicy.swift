import FlowModel

/// A validated cluster-wide tier policy of the network-policy-api (docs/admin-network-policy-semantics.md):
/// AdminNetworkPolicy and BaselineAdminNetworkPolicy (`policy.networking.k8s.io/v1alpha1`) or
/// ClusterNetworkPolicy (`v1alpha2`, tier Admin or Baseline). ANP's `Allow` and CNP's `Accept` are one action.
public struct AdminPolicy: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case adminNetworkPolicy = "AdminNetworkPolicy"
        case baselineAdminNetworkPolicy = "BaselineAdminNetworkPolicy"
        case clusterNetworkPolicy = "ClusterNetworkPolicy"
    }

    /// Admin rules are evaluated before NetworkPolicies, baseline rules only where no NetworkPolicy isolates.
    public enum Tier: String, Sendable, Hashable { case admin = "Admin", baseline = "Baseline" }

    public enum Action: String, Sendable, Hashable {
        /// ANP/BANP `Allow`, CNP `Accept`.
        case allow
        case deny
        /// Skip the rest of this tier: the next tier (NetworkPolicy, then baseline, then allow) decides.
        case pass
    }

    /// Pods selected by `subject` or a pod peer.
    public enum Selection: Sendable, Hashable {
        /// Every pod in the namespaces the selector matches.
        case namespaces(LabelSelector)
        /// Pods matching `pods` in namespaces matching `namespaces`.
        case pods(namespaces: LabelSelector, pods: LabelSelector)
    }

    public enum Peer: Sendable, Hashable {
        case selection(Selection)
        /// `networks`: CIDRs, matching external addresses and pod IPs alike.
        case networks([CIDR])
        /// `nodes`: nodes by label (FlowMap knows no node labels: matches nothing, warned).
        case nodes(LabelSelector)
        /// `domainNames` (egress Allow only): FQDNs, exact or `*.` (one or more leading labels); matches an
        /// external address the store observed one of the names for.
        case domainNames([String])
    }

    public enum Port: Sendable, Hashable {
        case number(Proto, Int)
        case range(Proto, ClosedRange<Int>)
        /// A container port name on the destination pod (any protocol it is declared with).
        case named(String)
    }

    public struct Rule: Sendable, Hashable {
        public var name: String
        public var action: Action
        public var peers: [Peer]
        /// nil: every port and protocol.
        public var ports: [Port]?

        public init(name: String = "", action: Action, peers: [Peer], ports: [Port]? = nil) {
            self.name = name
            self.action = action
            self.peers = peers
            self.ports = ports
        }
    }

    public var kind: Kind
    public var name: String
    public var tier: Tier
    /// 0 ... 1000, lower first; BaselineAdminNetworkPolicy (a singleton) has none and sorts last.
    public var priority: Int
    public var subject: Selection
    public var ingress: [Rule]
    public var egress: [Rule]
    public var location: SourceLocation?

    public init(kind: Kind, name: String, tier: Tier, priority: Int, subject: Selection, ingress: [Rule] = [],
                egress: [Rule] = [], location: SourceLocation? = nil) {
        self.kind = kind
        self.name = name
        self.tier = tier
        self.priority = priority
        self.subject = subject
        self.ingress = ingress
        self.egress = egress
        self.location = location
    }

    /// Whether a `domainNames` entry matches an observed name (API: exact, or `*.` matching one or more whole
    /// leading labels; not the bare domain). DNS names compare case-insensitively, a trailing dot ignored.
    public static func domain(_ pattern: String, matches name: String) -> Bool {
        func norm(_ s: String) -> Substring {
            let l = Substring(s.lowercased())
            return l.hasSuffix(".") ? l.dropLast() : l
        }
        let p = norm(pattern), n = norm(name)
        guard p.hasPrefix("*.") else { return p == n }
        let suffix = p.dropFirst()  // ".example.com"
        return n.count > suffix.count && n.hasSuffix(suffix)
    }

    /// `Kind/name` (cluster-scoped: no namespace).
    public var qualifiedName: String { "\(kind.rawValue)/\(name)" }

    /// Evaluation order inside a tier: priority, then (for equal priorities, which the API leaves undefined and
    /// FlowMap warns about) kind and name, so answers are reproducible.
    public static func precedes(_ a: AdminPolicy, _ b: AdminPolicy) -> Bool {
        (a.priority, a.kind.rawValue, a.name) < (b.priority, b.kind.rawValue, b.name)
    }
}
