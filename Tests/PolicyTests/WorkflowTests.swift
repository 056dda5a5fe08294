import FlowModel
import Testing
@testable import Policy

/// check / connectivity / diff on the `shop` fixture (Fixtures/shop: cluster, old and new policy sets).
@Suite struct WorkflowTests {
    static func load(_ policies: String) throws -> (ManifestSet, PolicyEvaluator) {
        let set = try ManifestReader.read(paths: [Golden.path("shop/cluster"), Golden.path("shop/\(policies)")])
        let inv = ClusterInventory.build(manifests: set, store: nil)
        return (set, PolicyEvaluator(policies: set.policies, namespaces: inv.namespaces, workloads: inv.workloads))
    }

    static let frontend = Endpoint.workload("shop", "frontend", kind: "Deployment")
    static let api = Endpoint.workload("shop", "api", kind: "Deployment")
    static let db = Endpoint.workload("data", "db", kind: "StatefulSet")
    static let prom = Endpoint.workload("monitoring", "prom", kind: "Deployment")

    static func edge(_ s: Endpoint, _ d: Endpoint, _ port: UInt16, _ flows: Int64, _ proto: Proto = .tcp,
                     _ outcome: Outcome = .allowed) -> ObservedEdge {
        ObservedEdge(key: EdgeKey(source: s, destination: d, proto: proto, port: port, outcome: outcome),
                     stats: EdgeStats(flows: flows, firstSeen: 1_700_000_000_000_000_000, lastSeen: 1_700_000_100_000_000_000))
    }

    static let edges: [ObservedEdge] = [
        edge(prom, frontend, 8080, 40),  // allowed by old (from anywhere); new allows only non-10/8 addresses
        edge(frontend, api, 9090, 300),
        edge(api, db, 5432, 120),
        edge(api, db, 6379, 7),  // denied by old, allowed by new
        edge(.external("203.0.113.9"), frontend, 8080, 55),
        edge(.external("10.1.2.3"), frontend, 8080, 3),
        edge(prom, api, 9090, 2, .tcp, .denied),
        edge(.reserved("host"), db, 5432, 9),  // kubelet probe from the own node
        edge(api, .workload("shop", "ghost", kind: "Deployment"), 80, 1),
        edge(frontend, api, 0, 4, .icmpv4),
    ]

    @Test func connectivityListsEveryPairInConnlistStyle() throws {
        let (set, ev) = try Self.load("old")
        #expect(set.issues.isEmpty)
        let text = ConnlistFormatter.format(ConnectivityMap(ev).entries(), as: .text)
        #expect(text.contains("shop/frontend[Deployment] => shop/api[Deployment] : TCP 9090\n"))
        #expect(text.contains("0.0.0.0-255.255.255.255 => shop/frontend[Deployment] : TCP 8080\n"))
        #expect(!text.contains("monitoring/prom[Deployment] => shop/api[Deployment]"))
        Golden.check(text, "shop/connlist-old.txt")
        let context = ConnlistFormatter.Context(policies: ev.policies.count, workloads: Set(ev.workloads.map(\.endpoint)).count)
        Golden.check(ConnlistFormatter.format(ConnectivityMap(ev).entries(), as: .json, context: context), "shop/connlist-old.json")
        Golden.check(ConnlistFormatter.format(ConnectivityMap(ev).entries(), as: .md, context: context), "shop/connlist-old.md")
    }

    @Test func checkCountsAllowedAndListsWhatWouldBreak() throws {
        let (_, ev) = try Self.load("old")
        let r = PolicyCheck.run(ev, edges: Self.edges)
        #expect(r.allowedConnections == 6)  // prom->frontend, frontend->api, api->db 5432, both IPs, host->db
        #expect(r.allowedFlows == 40 + 300 + 120 + 55 + 3 + 9)
        #expect(r.deniedConnections == 1)
        #expect(r.denied.map { "\($0.source) => \($0.destination) : \($0.proto) \($0.port)" }
                == ["shop/api[Deployment] => data/db[StatefulSet] : TCP 6379"])
        #expect(r.unresolvedConnections == 1)
        #expect(r.skipped == 1)
        #expect(r.observedDeniedNowAllowed == 0)
        #expect(r.breaks)
        let context = CheckFormatter.Context(policies: ev.policies.count, workloads: Set(ev.workloads.map(\.endpoint)).count)
        Golden.check(CheckFormatter.format(r, as: .text, context: context), "shop/check-old.txt")
        Golden.check(CheckFormatter.format(r, as: .md, context: context), "shop/check-old.md")
        Golden.check(CheckFormatter.format(r, as: .json, context: context), "shop/check-old.json")

        let (_, evNew) = try Self.load("new")
        let n = PolicyCheck.run(evNew, edges: Self.edges)
        #expect(n.denied.map(\.source).sorted() == ["10.1.2.3", "monitoring/prom[Deployment]"])
        #expect(n.observedDeniedNowAllowed == 1)  // prom -> api 9090 was dropped, now allowed
    }

    @Test func diffReportsChangesWithEvidence() throws {
        let (_, old) = try Self.load("old")
        let (_, new) = try Self.load("new")
        let r = SemanticDiff.run(old: old, new: new, edges: Self.edges)
        let byPair = Dictionary(uniqueKeysWithValues: r.changes.map { ("\($0.source) => \($0.destination)", $0) })
        let promFrontend = try #require(byPair["monitoring/prom[Deployment] => shop/frontend[Deployment]"])
        #expect(promFrontend.kind == .removed && promFrontend.breaks.map(\.description) == ["TCP 8080 (40 flows)"])
        let promApi = try #require(byPair["monitoring/prom[Deployment] => shop/api[Deployment]"])
        #expect(promApi.kind == .added && promApi.new.description == "TCP 9090" && !promApi.addedObserved)
        let apiDb = try #require(byPair["shop/api[Deployment] => data/db[StatefulSet]"])
        #expect(apiDb.kind == .changed && apiDb.old.description == "TCP 5432" && apiDb.new.description == "TCP 5432,6379" && apiDb.addedObserved)
        let tenNet = try #require(byPair["10.0.0.0-10.255.255.255[External] => shop/frontend[Deployment]"])
        #expect(tenNet.kind == .removed && tenNet.breaks.map(\.description) == ["TCP 8080 (3 flows)"])
        #expect(r.breakingChanges >= 2)
        #expect(r.uncoveredNamespaces == ["monitoring"])
        #expect(r.uncoveredEgress.count == 4)
        Golden.check(DiffFormatter.format(r, as: .text), "shop/diff.txt")
        Golden.check(DiffFormatter.format(r, as: .md), "shop/diff.md")
        Golden.check(DiffFormatter.format(r, as: .json), "shop/diff.json")
        Golden.check(StructuralDiff.format(old: old.policies, new: new.policies), "shop/structural.txt")
    }

    @Test func identicalSetsHaveNoSemanticDifference() throws {
        let (_, a) = try Self.load("old")
        let (_, b) = try Self.load("old")
        #expect(SemanticDiff.run(old: a, new: b).isEmpty)
        // Reordering and re-spelling without changing meaning is no difference either.
        let respelled = np("shop", "frontend", "podSelector: {matchLabels: {app: frontend}}\npolicyTypes: [Ingress]\ningress: [{from: [], ports: [{protocol: TCP, port: http}]}]")
        let set = try ManifestReader.read(paths: [Golden.path("shop/cluster"), Golden.path("shop/old")])
        var other = set
        other.policies = set.policies.filter { $0.name != "frontend" }.reversed()
            + ManifestReader.parse(text: respelled, file: "x").policies
        let inv = ClusterInventory.build(manifests: set, store: nil)
        let c = PolicyEvaluator(policies: other.policies, namespaces: inv.namespaces, workloads: inv.workloads)
        #expect(SemanticDiff.run(old: a, new: c).isEmpty)
    }

    @Test func storeWorkloadsJoinManifestWorkloads() {
        let data = ClusterInventory.StoreData(
            labelSets: [Self.prom: [["app": "prom"]], .workload("shop", "cart", kind: "Deployment"): [["app": "cart", "v": "1"], ["app": "cart", "v": "2"]]],
            addresses: [.workload("shop", "cart", kind: "Deployment"): ["10.0.0.7"]],
            namespaceLabels: ["shop": ["team": "other"]],
            endpoints: [.workload("shop", "cart", kind: "Deployment"), .external("1.1.1.1")])
        let set = try? ManifestReader.read(paths: [Golden.path("shop/cluster")])
        let inv = ClusterInventory.build(manifests: set, store: data)
        #expect(inv.workloads.filter { $0.endpoint.name == "cart" }.count == 2)  // one variant per label set
        #expect(inv.workloads.filter { $0.endpoint == Self.prom }.count == 1)  // manifest wins
        #expect(inv.namespaces.first { $0.name == "shop" }?.labels["team"] == "shop")
        // A variant-wise answer: a policy matching only v=1 leaves the endpoint not guaranteed.
        let ev = PolicyEvaluator(policies: ManifestReader.parse(text: np("shop", "podSelector: {matchLabels: {v: \"1\"}}\npolicyTypes: [Ingress]"), file: "x").policies,
                                 namespaces: inv.namespaces, workloads: inv.workloads)
        #expect(ev.connections(from: Self.prom, to: .workload("shop", "cart", kind: "Deployment")) == ConnectionSet.none)
    }
}
