import Emit
import FlowModel
import FlowStore
import Inference
import Policy

/// Loading for `check`, `connectivity`, `explain`, `diff` and `map --policies`: manifests paths, the store, and
/// the store's generated set. A verdict is only given over input that was read completely: anything that would
/// make it partial throws `Failure` (exit 2), unless the user accepted it knowingly (`Acceptance`).
public enum PolicyInputs {
    /// Input that cannot be evaluated as given; the description says what and how to fix it.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// What the user accepted to leave out: invalid objects (`--skip-invalid`) and unsupported kinds
    /// (`--ignore-kind KIND`, qualified `Kind.group` or the bare kind).
    public struct Acceptance: Sendable {
        public var skipInvalid = false
        public var ignoredKinds: [String] = []
        public init(skipInvalid: Bool = false, ignoredKinds: [String] = []) {
            self.skipInvalid = skipInvalid
            self.ignoredKinds = ignoredKinds
        }
    }

    /// Manifests read and accepted, with what was left out.
    public struct Loaded: Sendable {
        public var manifests: ManifestSet
        public var caveats: EvaluationCaveats
        /// Lines for stderr: each invalid object skipped, each ignored kind, the harmless kinds skipped.
        public var notes: [String]
    }

    /// Reads manifests paths (files, folders, `-`) and refuses what cannot be evaluated: no manifest file or no
    /// document at all, invalid objects (unless `skipInvalid`), unsupported kinds that change connectivity
    /// (unless ignored), and, when `requirePolicies`, a set without any NetworkPolicy.
    public static func load(_ paths: [String], accept: Acceptance = Acceptance(),
                            requirePolicies: Bool = false) throws -> Loaded {
        let m: ManifestSet
        do {
            m = try ManifestReader.read(paths: paths)
        } catch let e as ManifestIssue {
            throw Failure(description: e.description)
        }
        let where_ = paths.joined(separator: " ")
        if m.files == 0 {
            throw Failure(description: "\(where_): no manifest files (.yaml, .yml, .json): nothing to evaluate; "
                          + "pass the folder or file holding the NetworkPolicies (or - for stdin)")
        }
        if m.documents == 0 {
            throw Failure(description: "\(where_): \(m.files) file(s) but no documents: nothing to evaluate")
        }
        var problems: [String] = []
        var notes: [String] = []
        var caveats = EvaluationCaveats()
        let invalidObjects = Set(m.issues.map { i in
            "\(i.file)#\(i.document)#\(i.path.hasPrefix("items[") ? String(i.path.prefix { $0 != "." }) : "")"
        }).count
        if !m.issues.isEmpty {
            if accept.skipInvalid {
                notes += m.issues.map { "skipped invalid: \($0)" }
                caveats.skippedInvalid = invalidObjects
            } else {
                problems += m.issues.map { "invalid: \($0)" }
                problems.append("\(invalidObjects) invalid object(s): fix them (the API server would refuse them), "
                                + "or pass --skip-invalid to evaluate without them")
            }
        }
        for kind in m.unsupported.keys.sorted() {
            let locations = m.unsupported[kind]!
            let first = locations.map(\.description).sorted().first ?? ""
            let line = "\(locations.count) \(kind.qualifiedName) (first at \(first)): not evaluated by FlowMap; "
                + "they can change \(kind.effect)"
            if accept.ignoredKinds.contains(where: kind.matches) {
                notes.append("ignored: " + line)
                caveats.ignoredKinds[kind.qualifiedName] = locations.count
            } else {
                problems.append("unsupported: " + line + "; pass --ignore-kind \(kind.qualifiedName) to evaluate "
                                + "without them knowingly")
            }
        }
        if !problems.isEmpty {
            throw Failure(description: (problems + ["nothing evaluated: the verdict would leave out what is listed above"])
                .joined(separator: "\n"))
        }
        notes += m.warnings.map { "warning: \($0)" }
        // Cilium's evaluator answers for the whole set and knows nothing of the admin tiers: refuse rather than
        // give a verdict that leaves one of them out.
        if !m.adminPolicies.isEmpty && !m.ciliumPolicies.isEmpty {
            throw Failure(description: "\(where_): \(m.adminPolicies.count) admin-tier and \(m.ciliumPolicies.count) Cilium "
                          + "policies in one set: their combination is not evaluated yet; check them as separate sets")
        }
        if requirePolicies && m.policies.isEmpty && m.adminPolicies.isEmpty && m.ciliumPolicies.isEmpty {
            throw Failure(description: "\(where_): no NetworkPolicy among \(m.documents) document(s): nothing to "
                          + "evaluate (an empty set allows everything); pass the folder holding the policies")
        }
        if m.skippedCount > 0 {
            let kinds = m.skipped.keys.sorted().map { "\($0): \(m.skipped[$0]!)" }.joined(separator: ", ")
            notes.append("skipped \(m.skippedCount) document(s) of kinds that do not change connectivity (\(kinds))")
        }
        return Loaded(manifests: m, caveats: caveats, notes: notes)
    }

    /// `data(s)`, reusing what `Generate.evidence(from: s)` already read (label sets and namespace labels are the
    /// store's as read; its addresses are not: they add the inventory's apiserver and node addresses).
    static func data(_ s: FlowStore, evidence ev: Evidence) throws -> ClusterInventory.StoreData {
        let onOneNode = ev.workloadNodes.compactMapValues { $0.count == 1 ? $0.first : nil }
        var d = ClusterInventory.StoreData(labelSets: ev.labelSets, addresses: try s.addresses(),
                                           namespaceLabels: ev.namespaceLabels, endpoints: try s.endpoints(),
                                           nodes: try nodes(s), workloadNodes: onOneNode)
        d.services = ciliumServices(ev.inventoryServices)
        d.hostNetwork = hostNetwork(ev.hostNetwork, nodes: ev.workloadNodes, addresses: ev.nodeAddresses,
                                    observed: d.addresses)
        d.connectionAddresses = ev.connectionAddresses
        return d
    }

    /// `StoreData.hostNetwork`: each host-network workload's nodes with the addresses its flows showed on each
    /// (`Evidence.hostNetworkPlacement`, the addresses `generate` writes); a workload without an observed address
    /// keeps every known address of its nodes (no rule was written for it: each of them is denied).
    static func hostNetwork(_ workloads: Set<Endpoint>, nodes: [Endpoint: Set<String>], addresses: [String: [String]],
                            observed: [Endpoint: [String]]) -> [Endpoint: [String: [IPAddr]]] {
        var out = [Endpoint: [String: [IPAddr]]]()
        for w in workloads {
            var placed = [String: [IPAddr]]()
            let seen = Evidence.hostNetworkPlacement(observed: observed[w] ?? [], nodes: nodes[w] ?? [],
                                                     nodeAddresses: addresses)
            if seen.isEmpty {
                for n in nodes[w] ?? [] { placed[n] = Set((addresses[n] ?? []).compactMap { IPAddr($0) }).sorted() }
            } else {
                for (n, a) in seen { placed[n] = a.compactMap { IPAddr($0) }.sorted() }
            }
            out[w] = placed
        }
        return out
    }

    /// The inventory's Services as the Cilium evaluator selects them (`toServices`, CV1): by their pod selector,
    /// or, without one, by their EndpointSlice addresses. Service labels are not stored, so a
    /// `k8sServiceSelector` matches none of them.
    static func ciliumServices(_ list: [InventoryService]) -> [CiliumService] {
        list.map { s in
            CiliumService(name: s.name, namespace: s.namespace, selector: s.selector.isEmpty ? nil : s.selector,
                          addresses: s.selector.isEmpty ? s.backendIPs.compactMap { IPAddr($0) }.sorted() : [])
        }.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    /// Store data for the inventory plus the observed edges.
    public static func store(_ db: String, window: TimeWindow = .all) throws
        -> (data: ClusterInventory.StoreData, edges: [ObservedEdge]) {
        try store(try Generate.openExisting(db, window: window))
    }

    static func store(_ s: FlowStore) throws -> (data: ClusterInventory.StoreData, edges: [ObservedEdge]) {
        (try data(s), try s.edges())
    }

    /// What the evaluator needs from a store besides its edges (for `generate`'s self-check, which has them).
    public static func data(_ s: FlowStore) throws -> ClusterInventory.StoreData {
        let onOneNode = try s.workloadNodes().compactMapValues { $0.count == 1 ? $0.first : nil }
        var d = ClusterInventory.StoreData(labelSets: try s.labelSets(), addresses: try s.addresses(),
                                           namespaceLabels: try s.namespaceLabels(), endpoints: try s.endpoints(),
                                           nodes: try nodes(s), workloadNodes: onOneNode)
        let inv = try s.inventory()
        d.services = ciliumServices(inv.services)
        let placement = Generate.nodePlacement(inv)
        d.hostNetwork = hostNetwork(Generate.hostNetworkWorkloads(inv), nodes: placement.workloads,
                                    addresses: placement.addresses, observed: d.addresses)
        d.connectionAddresses = try s.connectionAddresses()
        return d
    }

    /// The inventory's nodes with their labels (nil for a node no Node object was ingested for), sorted by name.
    static func nodes(_ s: FlowStore) throws -> [ClusterNode] {
        let (addresses, labels) = try s.nodes()
        return addresses.keys.sorted().map { n in
            ClusterNode(name: n, labels: labels[n], addresses: addresses[n]!.compactMap { IPAddr($0) }.sorted())
        }
    }

    /// What Cilium's L7 rules and `toFQDNs` are checked against: the DNS names observed per external address
    /// and the requests observed per edge.
    public static func l7Evidence(_ db: String, window: TimeWindow = .all) throws
        -> (names: [IPAddr: [String]], l7: [EdgeKey: [L7Observation]]) {
        try l7Evidence(try Generate.openExisting(db, window: window))
    }

    static func l7Evidence(_ s: FlowStore) throws -> (names: [IPAddr: [String]], l7: [EdgeKey: [L7Observation]]) {
        (try dnsNames(s), try s.l7())
    }

    /// The DNS names observed per external address (Cilium `toFQDNs`, admin-tier `domainNames`): `check`,
    /// `explain` and `map --policies` all pass them, so their verdicts agree.
    public static func dnsNames(_ s: FlowStore) throws -> [IPAddr: [String]] {
        var names: [IPAddr: [String]] = [:]
        for (ep, ns) in try s.names() {
            guard ep.kind == .external, let ip = IPAddr(ep.name) else { continue }
            names[ip, default: []] += ns
        }
        return names
    }

    /// The policy set `flowmap generate` would write from the store, read back through the manifest reader.
    public static func generated(db: String, inference: InferenceOptions = InferenceOptions(),
                                 window: TimeWindow = .all) throws -> ManifestSet {
        let ev = try Generate.evidence(from: try Generate.openExisting(db, window: window))
        let plan = Inferrer(options: inference).infer(ev)
        let text = NetworkPolicyEmitter(options: EmitOptions()).stream(for: plan)
        return ManifestReader.parse(text: text, file: "<generated from \(db)>")
    }

    /// Refuses an inventory without workloads: nothing to evaluate a pair between.
    static func requireWorkloads(_ inv: ClusterInventory, _ paths: [String], db: String?) throws {
        guard inv.workloads.isEmpty else { return }
        let from = db.map { "\(paths.joined(separator: " ")) and \($0)" } ?? paths.joined(separator: " ")
        throw Failure(description: "no workloads known in \(from): nothing to evaluate; add the cluster's pods "
                      + "(`kubectl get pods -A -o yaml > pods.yaml`, or Deployments and other controllers) to the "
                      + "policies path, or pass --db with a store of observed flows")
    }
}
