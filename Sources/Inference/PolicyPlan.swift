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
    /// DNS names known for external peers, by the peer's host CIDR (`ipBlock.cidr`), each list sorted. Lets a
    /// flavour that can (Cilium `toFQDNs`) allow the name instead of a stale address.
    public var externalNames: [String: [String]] = [:]

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
    /// Traffic from / to Cilium reserved entities (`host`, `kube-apiserver`, `remote-node`) by entity, sorted.
    /// NetworkPolicy cannot name entities (its emitter uses the ipBlocks in `ingress`/`egress`, or notes);
    /// Cilium can (`fromEntities`/`toEntities`), and then skips the ipBlocks whose `reservedEntity` is listed here.
    public var ingressEntities: [EntityRulePlan] = []
    public var egressEntities: [EntityRulePlan] = []
}

/// A rule to a reserved entity and the ports it was seen on.
public struct EntityRulePlan: Sendable, Hashable {
    /// Cilium entity name: `host`, `kube-apiserver`, `remote-node`.
    public var entity: String
    public var ports: [PortPlan]

    public init(entity: String, ports: [PortPlan]) {
        self.entity = entity
        self.ports = ports
    }
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

    /// The reserved entity an ipBlock stands for (`kube-apiserver`, `remote-node`), nil for anything else.
    public var reservedEntity: String? {
        guard case .ipBlock(_, _, let note) = self, note.hasPrefix("reserved:") else { return nil }
        return String(note.dropFirst("reserved:".count))
    }

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
    /// HTTP requests observed on this port (all of them, generalised), sorted. Empty when no L7 was seen.
    public var http: [HTTPRulePlan] = []
    /// DNS names queried on this port (all of them), sorted. Empty when no DNS L7 was seen.
    public var dnsNames: [String] = []

    public static func < (a: PortPlan, b: PortPlan) -> Bool { (a.proto, a.port) < (b.proto, b.port) }
}

/// One allowed HTTP request shape on a port, with its evidence.
public struct HTTPRulePlan: Sendable, Hashable, Comparable {
    /// Request method as observed (`GET`).
    public var method: String
    /// Extended POSIX regular expression matched against the whole request path (Cilium `rules.http[].path`),
    /// e.g. `/reviews/[0-9]+`; `literal` makes one that matches exactly one path.
    public var pathRegex: String
    public var flows: Int64
    /// Concrete paths behind the rule, up to three, for review comments.
    public var examples: [String]

    public init(method: String, pathRegex: String, flows: Int64, examples: [String]) {
        self.method = method
        self.pathRegex = pathRegex
        self.flows = flows
        self.examples = examples
    }

    /// A rule for exactly one observed path.
    public static func literal(method: String, path: String, flows: Int64) -> HTTPRulePlan {
        HTTPRulePlan(method: method, pathRegex: escapeRegex(path), flows: flows, examples: [path])
    }

    /// Escapes the extended POSIX (and RE2) regular expression metacharacters.
    public static func escapeRegex(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\.[]{}()*+?^$|".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    public static func < (a: HTTPRulePlan, b: HTTPRulePlan) -> Bool {
        (a.pathRegex, a.method) < (b.pathRegex, b.method)
    }
}
