import FlowModel

/// The inferred least-privilege policy set, before any output format: one plan per namespace with one entry
/// per workload. Everything is sorted, so emitters stay deterministic by walking it in order.
public struct PolicyPlan: Sendable, Hashable {
    public var namespaces: [NamespacePlan]
    /// Observed-denied connections (never turned into allows), for the report.
    public var denied: [ObservedEdge]
    /// Problems a reviewer must see (ambiguous selectors, skipped peers ...), sorted.
    public var warnings: [String]
    /// Evidence window of the edges used (nanoseconds), nil when there were none.
    public var firstSeen: Int64?
    public var lastSeen: Int64?

    public init(namespaces: [NamespacePlan], denied: [ObservedEdge], warnings: [String], firstSeen: Int64?,
                lastSeen: Int64?) {
        self.namespaces = namespaces
        self.denied = denied
        self.warnings = warnings
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    public var workloadCount: Int { namespaces.reduce(0) { $0 + $1.workloads.count } }
}

public struct NamespacePlan: Sendable, Hashable {
    public var name: String
    public var workloads: [WorkloadPlan]
}

public struct WorkloadPlan: Sendable, Hashable {
    public var endpoint: Endpoint
    /// matchLabels that select exactly this workload's pods among the known pods of its namespace. Never empty.
    public var selector: Labels
    /// Set when the selector also matches another workload's pods (no label set separates them).
    public var selectorWarning: String?
    public var ingress: [RulePlan]
    public var egress: [RulePlan]
    /// Observed peers that produced no rule, each with the reason (shown as comments).
    public var notes: [String]
}

/// One rule: a single peer and the ports it was seen on.
public struct RulePlan: Sendable, Hashable {
    public var peer: PeerPlan
    public var ports: [PortPlan]
}

/// Who is on the other end of a rule.
public enum PeerPlan: Sendable, Hashable, Comparable {
    /// Pods of a workload. `namespace` is the peer's namespace; emitters add a namespaceSelector when it differs
    /// from the policy's namespace.
    case workload(Endpoint, selector: Labels)
    /// An address range, with exceptions. `note` says why (external address, internet-facing, apiserver ...).
    case ipBlock(cidr: String, except: [String], note: String)

    public static func < (a: PeerPlan, b: PeerPlan) -> Bool { a.sortKey < b.sortKey }

    var sortKey: String {
        switch self {
        case .workload(let e, _): return "0\(e.namespace)\u{1}\(e.name)\u{1}\(e.workloadKind)"
        case .ipBlock(let c, _, _): return "1\(IPAddress.sortKey(c))"
        }
    }
}

/// A port entry with its evidence.
public struct PortPlan: Sendable, Hashable, Comparable {
    public var proto: Proto
    public var port: UInt16
    /// Container port name when `--named-ports` and the inventory knows it.
    public var name: String?
    public var flows: Int64
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Up to three example L7 requests or DNS names.
    public var examples: [String]

    public static func < (a: PortPlan, b: PortPlan) -> Bool { (a.proto, a.port) < (b.proto, b.port) }
}
