import Emit
import FlowModel
import FlowStore
import Policy

/// `flowmap check`: replay the store's observed edges against a policy set.
public enum Check {
    public struct Options: Sendable {
        public var policies: [String]
        public var db: String
        /// `--since/--until`: the buckets of evidence read (whole buckets, `TimeWindow`).
        public var window = TimeWindow()
        public var evaluator = EvaluatorOptions()
        public var accept = PolicyInputs.Acceptance()
        /// `-n/--namespace`: only connections with an end in these namespaces are evaluated and listed (the
        /// inventory stays whole, so peers elsewhere still resolve).
        public var namespaces = NamespaceScope()
        public init(policies: [String], db: String) {
            self.policies = policies
            self.db = db
        }
    }

    public struct Result: Sendable {
        public var report: PolicyCheck.Report
        public var manifests: ManifestSet
        public var policies: Int
        public var workloads: Int
        public var caveats: EvaluationCaveats
        /// Stderr lines: what was skipped or ignored.
        public var notes: [String]

        public var context: CheckFormatter.Context {
            CheckFormatter.Context(policies: policies, workloads: workloads, caveats: caveats)
        }
    }

    /// The evaluator every policy verb uses over a store: manifests' workloads and namespaces joined with the
    /// store's (ClusterInventory), the same for `check`, `map --policies` and `explain --db`.
    public struct Evaluation: Sendable {
        public var evaluator: PolicyEvaluator
        public var inventory: ClusterInventory
        public var data: ClusterInventory.StoreData
        public var edges: [ObservedEdge]
        /// Requests observed per edge (checked against Cilium L7 rules).
        public var l7: [EdgeKey: [L7Observation]]
        /// `warning:` lines for stderr: what `nodes` peers cannot match over the store's nodes.
        public var warnings: [String]

        public init(manifests: ManifestSet, data: ClusterInventory.StoreData, edges: [ObservedEdge],
                    options: EvaluatorOptions, dnsNames: [IPAddr: [String]] = [:],
                    l7: [EdgeKey: [L7Observation]] = [:]) {
            inventory = ClusterInventory.build(manifests: manifests, store: data)
            evaluator = PolicyEvaluator(policies: manifests.policies, adminPolicies: manifests.adminPolicies,
                                        namespaces: inventory.namespaces, workloads: inventory.workloads,
                                        options: options, ciliumPolicies: manifests.ciliumPolicies, dnsNames: dnsNames,
                                        nodes: inventory.nodes, services: inventory.services)
            warnings = manifests.nodePeerWarnings(inventory.nodes).map { "warning: \($0)" }
            self.data = data
            self.edges = edges
            self.l7 = l7
        }

        /// The verdict for one observed edge (PolicyCheck.verdict: the one evaluation path).
        public func verdict(_ k: EdgeKey) -> PolicyCheck.Verdict {
            PolicyCheck.verdict(k, evaluator, addresses: data.addresses, connections: data.connectionAddresses)
        }

        public func report() -> PolicyCheck.Report {
            PolicyCheck.run(evaluator, edges: edges, addresses: data.addresses, connections: data.connectionAddresses,
                            l7: l7)
        }
    }

    public static func run(_ o: Options) throws -> Result {
        let loaded = try PolicyInputs.load(o.policies, accept: o.accept, requirePolicies: true)
        let (data, edges) = try PolicyInputs.store(o.db, window: o.window)
        try requireEdges(edges, db: o.db, window: o.window)
        let evidence = try PolicyInputs.l7Evidence(o.db, window: o.window)
        var e = Evaluation(manifests: loaded.manifests, data: data, edges: edges, options: o.evaluator,
                           dnsNames: evidence.names, l7: evidence.l7)
        try scope(&e, o.namespaces, db: o.db)
        var report = e.report()
        nameRoutes(&report, RouteIndex(inventory: try Generate.openExisting(o.db).inventory(), edges: edges), e.edges)
        return Result(report: report, manifests: loaded.manifests, policies: loaded.manifests.evaluatedPolicyCount,
                      workloads: Set(e.inventory.workloads.map(\.endpoint)).count, caveats: loaded.caveats,
                      notes: loaded.notes + e.warnings + hostNetworkNote(o.evaluator, loaded.manifests, data, e.edges)
                        + sharedSelectors(
                        loaded.manifests.policies.filter { o.namespaces.isAll || o.namespaces.namespaces.contains($0.namespace) },
                        e.inventory.workloads))
    }

    /// G1: host-network workloads with observed traffic, read as pods (`--host-network pods`, the default, as
    /// netpol-analyzer and NCA do) by a NetworkPolicy set: most CNIs see them as node traffic, which is what
    /// `generate` writes them as (node ipBlocks), so say how to check that reading. Nothing for Cilium sets (the
    /// Cilium evaluator always gives them the node's identity, CH1).
    static func hostNetworkNote(_ o: EvaluatorOptions, _ m: ManifestSet, _ data: ClusterInventory.StoreData,
                                _ edges: [ObservedEdge]) -> [String] {
        guard o.hostNetwork == .asPods, m.ciliumPolicies.isEmpty, !m.policies.isEmpty, !data.hostNetwork.isEmpty
        else { return [] }
        let seen = Set(edges.flatMap { [$0.key.source, $0.key.destination] }.filter { data.hostNetwork[$0] != nil })
        guard !seen.isEmpty else { return [] }
        let names = seen.map(\.description).sorted()
        return ["warning: \(names.count) host-network workload(s) with observed traffic (\(names.prefix(5).joined(separator: ", "))"
                + (names.count > 5 ? " and \(names.count - 5) more" : "") + ") are evaluated as pods (--host-network pods, "
                + "as netpol-analyzer and NCA do); most CNIs see them as their nodes' traffic, which generated "
                + "NetworkPolicies allow by node ipBlocks: check with --host-network node for that reading"]
    }

    /// Each listed item's routes (`through <route>`): the report lists items by text, so they are matched to
    /// their edges by source, destination, protocol and port.
    static func nameRoutes(_ r: inout PolicyCheck.Report, _ index: RouteIndex, _ edges: [ObservedEdge]) {
        var byText = [String: [String]]()
        for e in edges {
            let routes = index.routes(e.key)
            if !routes.isEmpty {
                byText["\(e.key.source)\u{1}\(e.key.destination)\u{1}\(e.key.proto.rawValue)\u{1}\(e.key.port)"] = routes
            }
        }
        guard !byText.isEmpty else { return }
        func name(_ items: inout [PolicyCheck.Item]) {
            for i in items.indices {
                let it = items[i]
                items[i].routes = byText["\(it.source)\u{1}\(it.destination)\u{1}\(it.proto)\u{1}\(it.port)"] ?? []
            }
        }
        name(&r.denied)
        name(&r.nowAllowed)
        name(&r.unresolved)
    }

    /// Namespaces an evaluation knows: the inventory's (manifests and store) and those of workloads on edges.
    static func knownNamespaces(_ e: Evaluation) -> Set<String> {
        NamespaceScope.known(named: e.inventory.namespaces.map(\.name),
                             endpoints: e.inventory.workloads.map(\.endpoint)
                                + e.edges.flatMap { [$0.key.source, $0.key.destination] })
    }

    /// Keeps the edges with an end in `scope`; an unknown namespace, or one without observed connections, is an
    /// error (nothing would be checked).
    static func scope(_ e: inout Evaluation, _ scope: NamespaceScope, db: String) throws {
        guard !scope.isAll else { return }
        try scope.require(known: knownNamespaces(e), place: "the store or the policies path")
        e.edges = e.edges.filter { scope.touches($0.key.source, $0.key.destination) }
        e.l7 = e.l7.filter { scope.touches($0.key.source, $0.key.destination) }
        if e.edges.isEmpty {
            throw PolicyInputs.Failure(description: "\(db): no observed connection into or out of \(scope.text) in "
                                       + "the evidence window: nothing to check; widen --since/--until or the -n list")
        }
    }

    /// A generated allow policy is for one workload; its podSelector, chosen before other workloads were known
    /// (a `ratings-v2` Deployment after `app: ratings` was chosen), may select theirs too and admit their
    /// traffic. One line per such policy naming every workload it selects, sorted.
    static func sharedSelectors(_ policies: [NetworkPolicy], _ workloads: [Workload]) -> [String] {
        policies.filter { $0.managedBy == NetworkPolicyEmitter.managedBy && !$0.podSelector.isEmpty }.compactMap { p in
            let selected = Set(workloads.filter { $0.endpoint.namespace == p.namespace && p.podSelector.matches($0.labels) }
                .map(\.endpoint))
            guard selected.count > 1 else { return nil }
            return "\(p.qualifiedName): generated for one workload, its podSelector \(p.podSelector) selects pods of "
                + "\(selected.count) known workloads (\(selected.sorted().map(\.description).joined(separator: ", "))); "
                + "regenerate (`flowmap generate`, --selector controller) so each policy selects only its own"
        }.sorted()
    }

    /// A store without observed connections has nothing to replay.
    static func requireEdges(_ edges: [ObservedEdge], db: String, window: TimeWindow = .all) throws {
        guard edges.isEmpty else { return }
        if !window.isAll {
            throw PolicyInputs.Failure(description: "\(db): no observed connections in \(window.text) (whole buckets): "
                                       + "nothing to check; widen --since/--until")
        }
        throw PolicyInputs.Failure(description: "\(db): the store holds no observed connections: nothing to check; "
                                   + "ingest flows first (`flowmap ingest --db \(db) FILES`)")
    }
}
