import TestSupport
import Testing
@testable import FlowMapView
import FlowModel

/// Small hand-made evidence.
enum Fixture {
    static let front = Endpoint.workload("shop", "frontend", kind: "Deployment")
    static let cart = Endpoint.workload("shop", "cart", kind: "Deployment")
    static let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
    static let idle = Endpoint.workload("shop", "idle", kind: "Deployment")
    static let host = Endpoint.reserved("host")
    static let pub1 = Endpoint.external("203.0.113.7")
    static let pub2 = Endpoint.external("198.51.100.9")
    static let priv = Endpoint.external("10.1.2.3")
    static let named = Endpoint.external("140.82.112.3")

    static func edge(_ s: Endpoint, _ d: Endpoint, _ p: Proto, _ port: UInt16, _ o: Outcome = .allowed,
                     flows: Int64 = 1, reasons: Set<String> = []) -> ObservedEdge {
        ObservedEdge(key: EdgeKey(source: s, destination: d, proto: p, port: port, outcome: o),
                     stats: EdgeStats(flows: flows, firstSeen: 1_700_000_000_000_000_000,
                                      lastSeen: 1_700_000_060_000_000_000, dropReasons: reasons))
    }

    static var edges: [ObservedEdge] {
        [
            edge(front, cart, .tcp, 8080, flows: 40),
            edge(front, cart, .tcp, 9090, flows: 2),
            edge(front, dns, .udp, 53, flows: 12),
            edge(pub1, front, .tcp, 443, flows: 5),
            edge(pub2, front, .tcp, 443, flows: 3),
            edge(front, priv, .tcp, 5432, flows: 7),
            edge(front, named, .tcp, 443, flows: 1),
            edge(cart, front, .tcp, 80, .denied, flows: 4, reasons: ["POLICY_DENIED"]),
            edge(host, cart, .tcp, 8080, flows: 9),
        ]
    }
    static let names: [Endpoint: [String]] = [named: ["github.com"]]
    static let endpoints = [front, cart, dns, idle, host, pub1, pub2, priv, named]

    static func graph(verdicts: PolicyVerdicts? = nil, options: MapOptions = MapOptions()) -> MapGraph {
        MapBuilder.build(edges: edges, names: names, endpoints: endpoints, verdicts: verdicts, options: options)
    }
}

@Suite("Map graph")
struct MapBuilderTests {
    @Test("namespaces become groups in order, then cluster entities, then external peers")
    func groups() {
        let g = Fixture.graph()
        #expect(g.groups.map(\.label) == ["kube-system", "shop", "cluster entities", "external"])
        #expect(g.groups.map(\.kind) == [.namespace, .namespace, .reserved, .external])
        let shop = g.groups[1].nodes.compactMap { g.node(id: $0)?.label }
        #expect(shop == ["cart", "frontend", "idle"])  // idle has no edge and is still drawn
        #expect(g.nodes.map(\.id) == (0..<g.nodes.count).map { "n\($0)" })
    }

    @Test("external addresses are grouped: by DNS name, else private / public")
    func externalGroups() {
        let g = Fixture.graph()
        let ext = g.nodes.filter { $0.kind == .external }
        #expect(ext.map(\.label) == ["github.com", "private addresses", "public internet"])
        let internet = ext.first { $0.label == "public internet" }!
        #expect(internet.members == ["198.51.100.9", "203.0.113.7"])
        #expect(internet.key == "external:public internet")
        #expect(ext.first { $0.label == "github.com" }!.members == ["140.82.112.3 (github.com)"])
        // Two public sources into frontend:443 are one edge, with both as evidence.
        let front = g.nodes.first { $0.label == "frontend" }!
        let e = g.edges.filter { $0.source == internet.id && $0.target == front.id }
        #expect(e.count == 1)
        #expect(e.first?.flows == 8)
        #expect(e.first?.evidence.count == 2)
    }

    @Test("edges merge ports per node pair and status, sorted, with flow counts in the label")
    func edgeLabels() {
        let g = Fixture.graph()
        let front = g.nodes.first { $0.label == "frontend" }!, cart = g.nodes.first { $0.label == "cart" }!
        let fc = g.edges.filter { $0.source == front.id && $0.target == cart.id }
        #expect(fc.count == 1)
        #expect(fc.first?.ports == ["TCP 8080", "TCP 9090"])
        #expect(fc.first?.label == "TCP 8080, TCP 9090 · 42 flows")
        #expect(fc.first?.status == .observed)
        let back = g.edges.first { $0.source == cart.id && $0.target == front.id }
        #expect(back?.status == .dropped)
        #expect(back?.evidence.first?.dropReasons == ["POLICY_DENIED"])
        #expect(front.flowsOut == 40 + 2 + 12 + 7 + 1)
        #expect(front.flowsIn == 5 + 3 + 4)
    }

    @Test("verdicts split observed edges and add allowed-but-unobserved ones")
    func verdicts() {
        let k8080 = Fixture.edges[0].key, k9090 = Fixture.edges[1].key
        let v = PolicyVerdicts(
            decisions: [k8080: PolicyDecision(allowed: true, note: "allow-cart"),
                        k9090: PolicyDecision(allowed: false, note: "no rule")],
            unobserved: [AllowedPair(source: Fixture.idle, destination: Fixture.cart, ports: ["TCP 8080"])])
        let g = Fixture.graph(verdicts: v)
        #expect(g.hasVerdicts)
        let front = g.nodes.first { $0.label == "frontend" }!, cart = g.nodes.first { $0.label == "cart" }!
        let fc = g.edges.filter { $0.source == front.id && $0.target == cart.id }
        #expect(fc.map(\.status) == [.allowedObserved, .observedDenied])
        #expect(fc.map(\.ports) == [["TCP 8080"], ["TCP 9090"]])
        let idle = g.nodes.first { $0.label == "idle" }!
        let unused = g.edges.filter { $0.status == .allowedUnobserved }
        #expect(unused.count == 1)
        #expect(unused.first?.source == idle.id)
        #expect(unused.first?.label == "TCP 8080 · unused")
    }

    @Test("allowed-but-unobserved edges are capped, with a note")
    func unobservedCap() {
        let pairs = (0..<5).map {
            AllowedPair(source: Endpoint.workload("a", "w\($0)", kind: "Pod"), destination: Fixture.cart, ports: ["any"])
        }
        var o = MapOptions()
        o.maxUnobservedEdges = 2
        let g = Fixture.graph(verdicts: PolicyVerdicts(decisions: [:], unobserved: pairs), options: o)
        #expect(g.edges.filter { $0.status == .allowedUnobserved }.count == 2)
        #expect(g.notes.count == 1)
    }

    @Test("namespace filter keeps edges with an end in the namespace")
    func namespaceFilter() {
        var o = MapOptions()
        o.namespaces = ["kube-system"]
        let g = Fixture.graph(options: o)
        #expect(g.edges.count == 1)
        #expect(Set(g.nodes.map(\.label)) == ["coredns", "frontend"])
    }

    @Test("output does not depend on the order of the input")
    func deterministic() {
        let a = MapBuilder.build(edges: Fixture.edges, names: Fixture.names, endpoints: Fixture.endpoints)
        var rng = SplitMix64(seed: 7)
        for _ in 0..<5 {
            let b = MapBuilder.build(edges: Fixture.edges.shuffled(using: &rng), names: Fixture.names,
                                     endpoints: Fixture.endpoints.shuffled(using: &rng))
            #expect(a == b)
            #expect(DOTRenderer.render(a) == DOTRenderer.render(b))
            #expect(MermaidRenderer.render(a) == MermaidRenderer.render(b))
            #expect(HTMLRenderer.render(a) == HTMLRenderer.render(b))
        }
    }
}

