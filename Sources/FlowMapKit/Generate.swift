#if canImport(Glibc)
import Emit
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowModel
import FlowStore
import Inference
import Policy

/// `flowmap generate`: store -> inference -> YAML files.
public enum Generate {
    public struct Options: Sendable {
        public var db: String
        /// A directory, or `-` for stdout.
        public var out: String
        public var inference = InferenceOptions()
        /// `--since/--until`: the buckets of evidence read (whole buckets, `TimeWindow`).
        public var window = TimeWindow()
        public var emit = EmitOptions()
        /// `--cluster-baseline`: one baseline-tier object instead of each namespace's egress default-deny and DNS
        /// baseline (`ClusterBaseline`). Not with the Cilium flavour (a set FlowMap cannot evaluate).
        public var clusterBaseline: ClusterBaseline.Kind?
        /// Write (and succeed) even when the self-check finds observed connections the output would break or
        /// open; they are still reported in `Report.selfCheck`.
        public var allowBreaks = false
        public init(db: String, out: String, allowBreaks: Bool = false) {
            self.db = db
            self.out = out
            self.allowBreaks = allowBreaks
        }
    }

    public struct Report: Sendable {
        public var plan: PolicyPlan
        /// Edges in the store (all outcomes) that inference read.
        public var edgesRead: Int
        /// Files written (relative to the output directory), or empty for stdout.
        public var files: [String]
        /// The YAML stream when `out` is `-`.
        public var stream: String?
        /// Files an earlier run generated in the output directory that this run no longer writes, now removed.
        public var removed: [String] = []
        /// The output replayed against the evidence it came from (`check`'s evaluator).
        public var selfCheck: SelfCheck
        /// False when the self-check failed and `allowBreaks` was off: nothing was written (no files, no stream).
        public var written: Bool
        /// The baseline-tier object written (`--cluster-baseline`), nil when none.
        public var baseline: ClusterBaseline? = nil
        /// Documents written: each namespace's default-deny (when a direction was observed) and DNS baseline, one
        /// allow policy per workload, and the cluster baseline.
        public var policies: Int {
            plan.namespaces.reduce(plan.workloadCount + (baseline == nil ? 0 : 1)) {
                $0 + ($1.hasDefaultDeny ? 1 : 0) + ($1.dnsBaseline.isEmpty ? 0 : 1)
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the store's evidence.
    /// From an ingested inventory: container ports per workload (for `--named-ports`), the nodes and their
    /// addresses (which node an address observed for a host-network workload is), the apiserver's addresses
    /// (endpoints of the `default/kubernetes` Service, for `reserved:kube-apiserver`), and the routes and webhooks
    /// resolved to their backends. `reserved:remote-node` keeps the addresses the flows showed for it only: the
    /// inventory's other node addresses are not evidence that those nodes connected (issue 23).
    /// All of it from one snapshot of the store (`FlowStore.snapshot`), so a concurrent ingest shows all of a
    /// batch or none of it.
    public static func evidence(from store: FlowStore) throws -> Evidence {
        try store.snapshot { try readEvidence(store) }
    }

    private static func readEvidence(_ store: FlowStore) throws -> Evidence {
        var addresses = try store.addresses()
        var containerPorts = [Endpoint: [ContainerPort]]()
        let inv = try store.inventory()
        for p in inv.pods where p.workload.kind == .workload {
            containerPorts[p.workload, default: []] += p.ports
        }
        // The `default/kubernetes` Service's endpoints are the apiserver's addresses.
        if let api = inv.services.first(where: { $0.namespace == "default" && $0.name == "kubernetes" }),
           !api.backendIPs.isEmpty {
            let ep = Endpoint.reserved(.kubeAPIServer)
            addresses[ep] = Set(api.backendIPs).union(addresses[ep] ?? []).sorted()
        }
        var ev = Evidence(edges: try store.edges(), l7: try store.l7(), labelSets: try store.labelSets(),
                          namespaceLabels: try store.namespaceLabels(), names: try store.names(),
                          addresses: addresses, containerPorts: containerPorts)
        for c in inv.controllers where c.usable { ev.controllerSelectors[c.workload] = c.selector }
        ev.routeBackends = inv.routeBackends()
        ev.hostNetwork = hostNetworkWorkloads(inv)
        (ev.workloadNodes, ev.nodeAddresses) = nodePlacement(inv)
        ev.services = try store.services()
        ev.inventoryServices = inv.services
        ev.connectionAddresses = try store.connectionAddresses()
        return ev
    }

    /// Workloads whose every inventoried pod runs in the host network.
    static func hostNetworkWorkloads(_ inv: Inventory) -> Set<Endpoint> {
        let byWorkload = Dictionary(grouping: inv.pods.filter { $0.workload.kind == .workload }, by: \.workload)
        return Set(byWorkload.filter { $0.value.allSatisfy(\.hostNetwork) }.keys)
    }

    /// The inventory's nodes per workload, and the known addresses per node: the Node objects' addresses, the
    /// pods' `hostIP`, and a host-network pod's IPs (which are its node's).
    static func nodePlacement(_ inv: Inventory) -> (workloads: [Endpoint: Set<String>], addresses: [String: [String]]) {
        var nodes = [Endpoint: Set<String>]()
        var addresses = inv.nodes
        for p in inv.pods where !p.node.isEmpty {
            if p.workload.kind == .workload { nodes[p.workload, default: []].insert(p.node) }
            if !p.hostIP.isEmpty { addresses[p.node, default: []].insert(p.hostIP) }
            if p.hostNetwork { addresses[p.node, default: []].formUnion(p.ips) }
        }
        return (nodes, addresses.mapValues { $0.sorted(by: CIDR.textOrder) })
    }

    /// Opens an existing store (never creates one: a typo in --db should not look like "no traffic"), reading
    /// the evidence of `window` (whole buckets).
    public static func openExisting(_ db: String, window: TimeWindow = .all) throws -> FlowStore {
        try requireExisting(db)
        let store = try FlowStore(path: db, verify: true, mustExist: true)
        store.window = window
        return store
    }

    /// The clear "no such store" message, before SQLite would create an empty file.
    /// A PostgreSQL --db is not a file: it is checked when connecting (a database without FlowMap's tables is
    /// then refused for reading, see `FlowStore.identify`).
    public static func requireExisting(_ db: String) throws {
        if PostgresLocation.isURL(db) { return }
        guard access(db, F_OK) == 0 else {
            let dir = db.lastIndex(of: "/").map { db[..<$0].isEmpty ? "/" : String(db[..<$0]) } ?? "."
            var st = stat()
            if stat(dir, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR {
                throw Failure(description: "\(db): no such store: the folder \(dir) does not exist; check the --db "
                              + "path (a store is made by `flowmap ingest --db PATH FILES` or `flowmap collect`)")
            }
            throw Failure(description: "\(db): no such store; run `flowmap ingest --db \(db) FILES` first")
        }
    }

    public static func plan(db: String, options: InferenceOptions, window: TimeWindow = .all) throws -> PolicyPlan {
        Inferrer(options: options).infer(try evidence(from: try openExisting(db, window: window)))
    }

    /// Infers, checks the result against its own evidence, and writes it unless the check failed (see
    /// `Options.allowBreaks`). Throws, writing nothing, on an evidence window without edges, a namespace filter
    /// naming a namespace the store does not know, and a file in `out` it must not replace.
    public static func run(_ o: Options) throws -> Report {
        if o.clusterBaseline != nil && o.emit.flavor == .cilium {
            throw Failure(description: "--cluster-baseline with --flavor cilium: FlowMap cannot evaluate a set that "
                          + "mixes admin-tier objects and Cilium policies, so the output could not be checked against "
                          + "the evidence; use --flavor k8s with --cluster-baseline, or drop --cluster-baseline")
        }
        if o.inference.services && o.emit.flavor != .cilium {
            throw Failure(description: "--services writes CiliumNetworkPolicy toServices rules, which NetworkPolicy "
                          + "has no equivalent of; add --flavor cilium, or drop --services (every flavour names the "
                          + "Services in the evidence report)")
        }
        let store = try openExisting(o.db, window: o.window)
        // One snapshot for the evidence and the empty-window check's query: an ingest committing in between
        // would otherwise give edges to the second and none to the first ("move --since/--until", wrongly).
        let ev = try store.snapshot {
            let ev = try evidence(from: store)
            try validate(ev, o.inference, window: o.window, store: store)
            return ev
        }
        var inference = o.inference
        inference.clusterSelectors = o.emit.flavor == .cilium  // only Cilium can name a peer's cluster
        var plan = Inferrer(options: inference).infer(ev)
        var baseline: ClusterBaseline?
        if let kind = o.clusterBaseline {
            let system = o.inference.includeSystem ? [] : o.inference.systemNamespaces
            (plan, baseline) = ClusterBaseline.apply(
                to: plan, kind: kind, scoped: !o.inference.namespaces.isEmpty,
                leftOut: system.union(o.inference.excludeNamespaces).union(knownNamespaces(ev)))
        }
        let check = SelfCheck.run(plan: plan, baseline: baseline, edges: SelfCheck.edges(ev.edges, o.inference),
                                  store: try PolicyInputs.data(store, evidence: ev),
                                  cilium: o.emit.flavor == .cilium
                                    ? (o.emit, try PolicyInputs.dnsNames(store), ev.l7) : nil)
        var r = Report(plan: plan, edgesRead: ev.edges.count, files: [], stream: nil, selfCheck: check,
                       written: !check.failed || o.allowBreaks, baseline: baseline)
        guard r.written else { return r }
        let emitter = PolicyEmitter(options: o.emit)
        if o.out == "-" {
            r.stream = emitter.stream(for: plan, baseline: baseline)
            return r
        }
        let files = emitter.emit(for: plan, baseline: baseline)
        r.removed = try FileOutput.replaceGenerated(in: o.out, with: files, markers: PolicyEmitter.generatedMarkers)
        r.files = files.map(\.name)
        return r
    }

    /// Namespaces the store knows: labelled ones and those of workloads seen in the inventory or in flows.
    static func knownNamespaces(_ ev: Evidence) -> Set<String> {
        NamespaceScope.known(named: ev.namespaceLabels.keys,
                             endpoints: Array(ev.labelSets.keys) + ev.edges.flatMap { [$0.key.source, $0.key.destination] })
    }

    /// Errors that would otherwise produce output that blocks everything or silently covers the wrong
    /// namespaces: no edge in the evidence window, and `--namespace`/`--exclude-namespace` names the store
    /// does not know (with the closest known names).
    static func validate(_ ev: Evidence, _ o: InferenceOptions, window: TimeWindow, store: FlowStore) throws {
        let known = knownNamespaces(ev)
        var problems: [String] = []
        for (flag, names) in [("--namespace", o.namespaces), ("--exclude-namespace", o.excludeNamespaces)] {
            problems += NamespaceScope.problems(flag: flag, names, known: known)
        }
        if !problems.isEmpty { throw NamespaceScope.Unknown(lines: problems) }
        guard ev.edges.isEmpty else { return }
        let seen = try store.edges(window: .all).filter { $0.stats.firstSeen <= $0.stats.lastSeen }
        guard let first = seen.map(\.stats.firstSeen).min(), let last = seen.map(\.stats.lastSeen).max() else {
            throw Failure(description: "the store holds no flows, so every policy would only deny; ingest a "
                          + "capture first (`flowmap ingest --db STORE FILES`)")
        }
        throw Failure(description: "no edges in the evidence window \(window.text) (whole buckets), so every policy would only deny; the "
                      + "store's flows were seen \(Timestamp.format(first)) .. \(Timestamp.format(last)): move "
                      + "--since/--until into that span")
    }
}
