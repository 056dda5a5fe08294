import FlowModel
import Testing
@testable import Inference

/// Issue 14, inference half: what the evidence can and cannot support. Each test fails on the code before it
/// (default-deny in both directions everywhere, kube-system always included, DNS only where observed, the DNS
/// sibling and the internet-facing collapse admitting what was observed denied, skipped peers only as comments).
@Suite("Inference: directions with evidence, system namespaces, DNS baseline, denied evidence wins")
struct EvidenceScopeTests {
    let web = Fx.w("shop", "web"), api = Fx.w("shop", "api")
    let dns = Fx.w("kube-system", "coredns")
    let cache = Fx.w("cache", "redis"), batch = Fx.w("jobs", "report")
    var labels: [Endpoint: [Labels]] {
        [web: [["app": "web"]], api: [["app": "api"]], dns: [["k8s-app": "kube-dns"]], cache: [["app": "redis"]],
         batch: [["app": "report"]]]
    }
    var withSystem: InferenceOptions {
        var o = InferenceOptions()
        o.includeSystem = true
        return o
    }

    func ns(_ name: String, _ p: PolicyPlan) -> NamespacePlan? { p.namespaces.first { $0.name == name } }

    @Test("a namespace seen from one side gets a default-deny for that side only, with the other named")
    func oneSided() throws {
        // cache only receives, jobs only sends: the capture says nothing about cache's egress or jobs' ingress.
        let ev = Evidence(edges: [Fx.edge(web, cache, .tcp, 6379), Fx.edge(batch, api, .tcp, 8080)], labelSets: labels)
        let plan = Inferrer().infer(ev)
        let c = try #require(ns("cache", plan)), j = try #require(ns("jobs", plan)), s = try #require(ns("shop", plan))
        #expect(c.denyIngress && !c.denyEgress)
        #expect(!j.denyIngress && j.denyEgress)
        #expect(s.denyIngress && s.denyEgress && s.notes.isEmpty)
        #expect(c.notes.map(\.description) == ["no egress from its pods was observed (known workloads: cache/redis[Deployment]): no egress "
                            + "default-deny, egress stays unrestricted"])
        #expect(plan.warnings.contains { $0.description.hasPrefix("cache: no egress from its pods was observed (known workloads: cache/redis[Deployment])") })
        #expect(plan.warnings.contains { $0.description.hasPrefix("jobs: no ingress to its pods was observed (known workloads: jobs/report[Deployment])") })
    }

    @Test("system namespaces are left out unless --include-system or named; the list is overridable")
    func systemNamespaces() throws {
        let ev = Evidence(edges: [Fx.edge(web, dns, .udp, 53)], labelSets: labels)
        let plan = Inferrer().infer(ev)
        #expect(ns("kube-system", plan) == nil)
        #expect(plan.warnings.contains { $0.description.hasPrefix("system namespace kube-system left out (known workloads: kube-system/coredns[Deployment])") })
        // Its resolver is still a peer of the clients' rules.
        #expect(Fx.plan(web, in: plan)?.egress.map(\.peer) == [.workload(dns, selector: ["k8s-app": "kube-dns"])])
        #expect(ns("kube-system", Inferrer(options: withSystem).infer(ev))?.denyIngress == true)
        var named = InferenceOptions()
        named.namespaces = ["kube-system"]
        #expect(Inferrer(options: named).infer(ev).namespaces.map(\.name) == ["kube-system"])
        var custom = InferenceOptions()
        custom.systemNamespaces = ["shop"]
        #expect(Inferrer(options: custom).infer(ev).namespaces.map(\.name) == ["kube-system"])
    }

    @Test("DNS baseline: every namespace with an egress default-deny reaches the observed resolvers; --dns observed")
    func dnsBaseline() throws {
        // Only web resolved during the capture; jobs never did, yet it gets egress isolation, so it needs DNS.
        let ev = Evidence(edges: [Fx.edge(web, dns, .udp, 53), Fx.edge(batch, api, .tcp, 8080),
                                  Fx.edge(web, cache, .tcp, 6379)], labelSets: labels)
        let plan = Inferrer(options: withSystem).infer(ev)
        let resolver = PeerPlan.workload(dns, selector: ["k8s-app": "kube-dns"])
        let jobs = try #require(ns("jobs", plan))
        #expect(jobs.dnsBaseline.map(\.peer) == [resolver])
        #expect(Fx.ports(jobs.dnsBaseline.first) == ["TCP/53", "UDP/53"])
        #expect(jobs.dnsBaseline[0].ports.allSatisfy { $0.flows == 0 && $0.examples == [PortPlan.dnsBaselineNote] })
        #expect(ns("shop", plan)?.dnsBaseline.map(\.peer) == [resolver])
        #expect(ns("cache", plan)?.dnsBaseline.isEmpty == true)  // no egress default-deny: nothing to restore
        // The resolver admits those namespaces; web's own rule keeps its evidence.
        let d = try #require(Fx.plan(dns, in: plan))
        #expect(d.ingress.map(\.peer).contains(.namespace("jobs")) && d.ingress.map(\.peer).contains(.namespace("shop")))
        #expect(Fx.rule(Fx.plan(web, in: plan)!.egress, resolver)?.ports.first { $0.proto == .udp }?.flows == 10)
        var observed = withSystem
        observed.dns = .observed
        let p2 = Inferrer(options: observed).infer(ev)
        #expect(p2.namespaces.allSatisfy { $0.dnsBaseline.isEmpty })
        #expect(!Fx.plan(dns, in: p2)!.ingress.contains { if case .namespace = $0.peer { return true } else { return false } })
    }

    @Test("node-local DNS is a baseline resolver too")
    func nodeLocalBaseline() throws {
        let local = Endpoint.external("169.254.20.10")
        let ev = Evidence(edges: [Fx.edge(web, local, .udp, 53), Fx.edge(batch, api, .tcp, 8080)], labelSets: labels)
        let jobs = try #require(ns("jobs", Inferrer().infer(ev)))
        #expect(jobs.dnsBaseline.map(\.peer) == [.ipBlock(cidr: "169.254.20.10/32", except: [], note: "node-local DNS")])
    }

    @Test("an observed DNS denial stays denied: no sibling protocol, not in the baseline, resolver does not admit it")
    func deniedDNS() throws {
        let ev = Evidence(edges: [Fx.edge(web, dns, .udp, 53), Fx.edge(web, dns, .tcp, 53, outcome: .denied)],
                          labelSets: labels)
        let plan = Inferrer(options: withSystem).infer(ev)
        let resolver = PeerPlan.workload(dns, selector: ["k8s-app": "kube-dns"])
        #expect(Fx.ports(Fx.rule(Fx.plan(web, in: plan)!.egress, resolver)) == ["UDP/53"])
        #expect(Fx.plan(web, in: plan)!.notes.contains { $0.description.hasPrefix("TCP/53 to kube-system/coredns[Deployment] was observed denied") })
        #expect(Fx.ports(ns("shop", plan)?.dnsBaseline.first) == ["UDP/53"])
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop: the DNS baseline leaves out kube-system/coredns[Deployment] TCP/53") })
        let d = try #require(Fx.plan(dns, in: plan))
        #expect(d.ingress.allSatisfy { Fx.ports($0) == ["UDP/53"] })
    }

    @Test("internet-facing collapse carves out the public sources observed denied")
    func deniedPublicSource() throws {
        var edges = (0..<16).map { Fx.edge(.external("198.51.100.\($0 + 1)"), web, .tcp, 443, flows: 1) }
        edges.append(Fx.edge(.external("203.0.113.7"), web, .tcp, 443, outcome: .denied))
        edges.append(Fx.edge(.external("2001:db8:77::1"), web, .tcp, 443, outcome: .denied))
        edges.append(Fx.edge(.external("203.0.113.8"), web, .tcp, 80, outcome: .denied))  // another port: irrelevant
        let plan = Inferrer().infer(Evidence(edges: edges, labelSets: labels))
        let internet = Fx.plan(web, in: plan)!.ingress.filter(\.peer.isInternetFacing).map(\.peer)
        #expect(internet == [.ipBlock(cidr: "0.0.0.0/0", except: CIDR.privateV4.map(\.description) + ["203.0.113.7/32"],
                                      note: PeerPlan.internetFacingNote),
                             .ipBlock(cidr: "::/0", except: CIDR.privateV6.map(\.description) + ["2001:db8:77::1/128"],
                                      note: PeerPlan.internetFacingNote)])
        #expect(plan.warnings.contains { $0.description.contains("and the 2 public source(s) observed denied") })
    }

    @Test("peers that cannot be expressed are warnings naming workload, peer and port")
    func skippedPeersNamed() {
        let ev = Evidence(edges: [Fx.edge(web, .reserved("unmanaged"), .tcp, 9000),
                                  Fx.edge(web, .reserved("kube-apiserver"), .tcp, 6443),
                                  Fx.edge(web, api, .other, 0)], labelSets: labels)
        let plan = Inferrer().infer(ev)
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop/web[Deployment]: traffic to reserved:unmanaged TCP/9000 observed") })
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop/web[Deployment]: traffic to reserved:kube-apiserver TCP/6443 observed, but no address") })
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop/web[Deployment] -> shop/api[Deployment] OTHER (no port)") })
        #expect(Fx.plan(api, in: plan)?.notes.contains { $0.description.contains("OTHER (no port) observed") } == true)
    }
}
