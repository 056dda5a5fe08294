import FlowModel

/// The inferred least-privilege policy set, before any output format: one plan per namespace with one entry
/// per workload. Everything is sorted, so emitters stay deterministic by walking it in order.
///
/// For emitter authors: every type here has a public memberwise-style initialiser whose newer parameters have
/// defaults, so plans can be built by hand in tests; fields are only ever added (with defaults), never changed.
public struct PolicyPlan: Sendable, Hashable {
    public var namespaces: [NamespacePlan]
    /// Observed-denied connections (never turned into allows), for the report.
    public var denied: [ObservedEdge]
    /// Problems a reviewer must see (ambiguous selectors, skipped peers ...), sorted by their text
    /// (`PlanWarning.sorted`).
    public var warnings: [PlanWarning]
    /// Evidence window of the edges used (nanoseconds), nil when there were none.
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    /// DNS names known for external peers, by the peer's host CIDR (`ipBlock.cidr`), each list sorted. Lets a
    /// flavour that can (Cilium `toFQDNs`) allow the name instead of a stale address.
    public var externalNames: [String: [String]] = [:]

    public init(namespaces: [NamespacePlan], denied: [ObservedEdge], warnings: [PlanWarning], firstSeen: Int64?,
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
    /// Directions the namespace's default-deny isolates: only those its pods were observed in (egress from them,
    /// ingress to them). Both false: no default-deny at all.
    public var denyIngress: Bool
    public var denyEgress: Bool
    /// Why a direction has no default-deny (shown as comments), sorted.
    public var notes: [InferenceNote]
    /// The DNS baseline (`allow-dns`): egress from every pod of the namespace to the cluster resolvers, UDP and
    /// TCP 53, minus what was observed denied. Empty: no such policy.
    public var dnsBaseline: [RulePlan]

    public init(name: String, workloads: [WorkloadPlan], denyIngress: Bool = true, denyEgress: Bool = true,
                notes: [InferenceNote] = [], dnsBaseline: [RulePlan] = []) {
        self.name = name
        self.workloads = workloads
        self.denyIngress = denyIngress
        self.denyEgress = denyEgress
        self.notes = notes
        self.dnsBaseline = dnsBaseline
    }

    /// True when the namespace gets a default-deny policy (for at least one direction).
    public var hasDefaultDeny: Bool { denyIngress || denyEgress }
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
    public var notes: [InferenceNote]
    /// Traffic from / to Cilium reserved entities (`host`, `kube-apiserver`, `remote-node`) by entity, sorted.
    /// NetworkPolicy cannot name entities (its emitter uses the ipBlocks in `ingress`/`egress`, or notes);
    /// Cilium can (`fromEntities`/`toEntities`), and then skips the ipBlocks whose `reservedEntity` is listed here.
    public var ingressEntities: [EntityRulePlan]
    public var egressEntities: [EntityRulePlan]

    public init(endpoint: Endpoint, selector: Labels, selectorWarning: String? = nil, ingress: [RulePlan] = [],
                egress: [RulePlan] = [], notes: [InferenceNote] = [], ingressEntities: [EntityRulePlan] = [],
                egressEntities: [EntityRulePlan] = []) {
        self.endpoint = endpoint
        self.selector = selector
        self.selectorWarning = selectorWarning
        self.ingress = ingress
        self.egress = egress
        self.notes = notes
        self.ingressEntities = ingressEntities
        self.egressEntities = egressEntities
    }

    /// Ports of this workload reachable from the internet (an ingress rule from `0.0.0.0/0`, see
    /// `PeerPlan.isInternetFacing`).
    public var internetFacingPorts: [PortPlan] {
        ingress.filter(\.peer.isInternetFacing).flatMap(\.ports).reduce(into: [PortPlan]()) { acc, p in
            if !acc.contains(where: { $0.proto == p.proto && $0.port == p.port }) { acc.append(p) }
        }.sorted()
    }
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
    /// Kubernetes Services (`namespace/name`, sorted) that the flows of this rule's own connections were addressed
    /// to (Hubble `destination_service`, Calico `dest_service_*`, a ClusterIP of the inventory in VPC / generic
    /// records; kept per connection since schema 14). Every flavour names them in the evidence; `--services`
    /// (Cilium) writes `toServices`.
    public var services: [String] = []
    /// A connection of the rule was ingested before Services were kept per connection (schema 14): `services` then
    /// holds its destination's Services as recorded per endpoint (evidence only), and `--services` never writes
    /// `toServices` for the rule.
    public var servicesUnknown = false
    /// `--services`: the one Service (`namespace/name`) an egress rule is written as (`toServices`), chosen among
    /// `services` only when it selects exactly the peer's workload (`InferenceOptions.services`); nil otherwise.
    public var toService: String? = nil

    public init(peer: PeerPlan, ports: [PortPlan]) {
        self.peer = peer
        self.ports = ports
    }
}

/// Who is on the other end of a rule.
public enum PeerPlan: Sendable, Hashable, Comparable {
    /// Pods of a workload. `namespace` is the peer's namespace; emitters add a namespaceSelector on
    /// `kubernetes.io/metadata.name` (in the same peer item, ANDed) when it differs from the policy's namespace.
    case workload(Endpoint, selector: Labels)
    /// An address range, with exceptions. `note` says why (DNS names of an external address, `internet-facing`,
    /// `reserved:kube-apiserver` ...).
    case ipBlock(cidr: String, except: [String], note: String)
    /// Every pod of a namespace (a `kubernetes.io/metadata.name` namespaceSelector alone): the DNS baseline's
    /// clients, as the resolvers' ingress peer.
    case namespace(String)

    /// The note of an ipBlock of a node address that stands for host-network peers (`InferenceNote.hostNetworkPeer`).
    /// The Cilium flavour writes the `host` / `remote-node` entities instead (`WorkloadPlan.ingressEntities`).
    public static let hostNetworkNote = "node of host-network peers; host network is implementation-defined"

    /// True for an ipBlock of a node address standing for host-network peers.
    public var isHostNetworkBlock: Bool {
        if case .ipBlock(_, _, let note) = self { return note == Self.hostNetworkNote }
        return false
    }

    /// The note an internet-facing ipBlock (`0.0.0.0/0` / `::/0` minus the private ranges) carries.
    public static let internetFacingNote = "internet-facing"

    /// True for the `0.0.0.0/0` and `::/0` rules made when a port was reached from many public addresses.
    public var isInternetFacing: Bool {
        if case .ipBlock(_, _, let note) = self { return note == Self.internetFacingNote }
        return false
    }

    public static func < (a: PeerPlan, b: PeerPlan) -> Bool { a.sortKey < b.sortKey }

    /// The reserved entity an ipBlock stands for (note `reserved:kube-apiserver`, `reserved:remote-node`, see
    /// `Inferrer.reservedTreatment`), nil for anything else.
    public var reservedEntity: String? {
        guard case .ipBlock(_, _, let note) = self, note.hasPrefix("reserved:") else { return nil }
        return String(note.dropFirst("reserved:".count))
    }

    var sortKey: String {
        switch self {
        case .workload(let e, _): return "0\(e.namespace)\u{1}\(e.name)\u{1}\(e.workloadKind)\u{1}\(e.cluster)"
        // The note breaks the tie of one address standing for two peers (`reserved:remote-node` and a
        // host-network workload on that node).
        case .ipBlock(let c, _, let note): return "1\(CIDR.sortKey(c))\u{1}\(note)"
        case .namespace(let n): return "2\(n)"
        }
    }
}

/// A port entry with its evidence.
public struct PortPlan: Sendable, Hashable, Comparable {
    public var proto: Proto
    public var port: UInt16
    /// Container port name of the destination pods, set only with `--named-ports` (`InferenceOptions.namedPorts`)
    /// when the inventory names this (protocol, port) the same way on every known pod of the destination
    /// workload. Emitters write `port: <name>` instead of the number then. Never set towards ipBlocks.
    public var name: String?
    /// Connections behind the entry; 0 for an entry that was not observed itself (the sibling protocol of DNS).
    public var flows: Int64
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Up to three example L7 requests or DNS names.
    public var examples: [String]
    /// For the Cilium emitter (`toPorts[].rules.http[]`): the observed HTTP API endpoints on this (peer, port),
    /// each a method and a generalised path regex, sorted. Empty when no HTTP was observed: then emit no L7 rule
    /// (an empty `http` list in Cilium would deny all HTTP, which the evidence does not support).
    public var http: [HTTPRulePlan]
    /// DNS query names observed on this (peer, port) (lower-case, no trailing dot), sorted; empty when none.
    /// For a Cilium `rules.dns` `matchName` list on the DNS egress rule.
    public var dnsQueries: [String]
    /// Last port of a range (`endPort`), nil for a single port. Set only by `PortRanges` when the evidence shows
    /// a range (`InferenceOptions.portRanges`); `rangePorts` then lists the observed ports it stands for.
    public var endPort: UInt16? = nil
    public var rangePorts: [UInt16] = []

    public init(proto: Proto, port: UInt16, name: String? = nil, flows: Int64, firstSeen: Int64, lastSeen: Int64,
                examples: [String] = [], http: [HTTPRulePlan] = [], dnsQueries: [String] = []) {
        self.proto = proto
        self.port = port
        self.name = name
        self.flows = flows
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.examples = examples
        self.http = http
        self.dnsQueries = dnsQueries
    }

    /// True for an entry added without evidence of its own (the other protocol of DNS port 53, the DNS baseline).
    public var isSibling: Bool { flows == 0 }

    /// The example an entry of the DNS baseline carries (no flows of its own).
    public static let dnsBaselineNote = "DNS baseline for every pod of the namespace"

    public static func < (a: PortPlan, b: PortPlan) -> Bool {
        (a.proto, a.port, a.endPort ?? a.port) < (b.proto, b.port, b.endPort ?? b.port)
    }

    /// `80` or `30000-30009`, for messages.
    public var portText: String { endPort.map { "\(port)-\($0)" } ?? String(port) }
}

/// One HTTP API endpoint allowed on a port: for Cilium's `rules.http[]` (`method`, `path`).
public struct HTTPRulePlan: Sendable, Hashable, Comparable {
    /// Upper-case HTTP method (`GET`, `POST` ...). Cilium's `method` is a regex too; method names need no escaping.
    public var method: String
    /// Cilium `path`: an extended POSIX regular expression that must match the whole request path (Cilium/Envoy
    /// match it against the full path, so no `^`/`$` is added). Literal segments are regex-escaped; generalised
    /// segments are `[0-9]+` (numeric ids), `[0-9a-fA-F]{8}-…` (UUIDs), `[0-9a-fA-F]+` (long hex),
    /// `[^/]+` (high-cardinality).
    public var pathRegex: String
    /// Human form for comments and reports: `/users/{int}/orders`, `/items/{uuid}`, `/files/{any}`.
    public var pathTemplate: String
    /// Requests observed that this entry stands for.
    public var requests: Int64
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Up to three concrete observed paths this entry generalises (sorted).
    public var examples: [String]

    public init(method: String, pathRegex: String, pathTemplate: String, requests: Int64, firstSeen: Int64,
                lastSeen: Int64, examples: [String]) {
        self.method = method
        self.pathRegex = pathRegex
        self.pathTemplate = pathTemplate
        self.requests = requests
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.examples = examples
    }

    public static func < (a: HTTPRulePlan, b: HTTPRulePlan) -> Bool {
        (a.pathTemplate, a.method) < (b.pathTemplate, b.method)
    }
}
