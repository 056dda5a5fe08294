import FlowModel
import Testing
@testable import Inference

@Suite("Inferrer: peers, ports, DNS, evidence")
struct InferrerTests {
    let web = Fx.w("shop", "web"), api = Fx.w("shop", "api"), db = Fx.w("data", "db", kind: "StatefulSet")
    let dns = Fx.w("kube-system", "coredns")
    var labels: [Endpoint: [Labels]] {
        [web: [["app": "web"]], api: [["app": "api"]], db: [["app": "db"]], dns: [["k8s-app": "kube-dns"]]]
    }

    @Test("same namespace and cross-namespace peers; one port entry per (proto, port); no reverse rules")
    func peersAndPorts() throws {
        let ev = Evidence(edges: [
            Fx.edge(web, api, .tcp, 8080, flows: 5), Fx.edge(web, api, .tcp, 8443, flows: 2),
            Fx.edge(api, db, .tcp, 5432, flows: 7),
        ], labelSets: labels)
        let plan = Inferrer().infer(ev)
        let w = try #require(Fx.plan(web, in: plan))
        #expect(w.ingress.isEmpty)
        #expect(w.egress.count == 1)
        #expect(w.egress[0].peer == .workload(api, selector: ["app": "api"]))
        #expect(Fx.ports(w.egress[0]) == ["TCP/8080", "TCP/8443"])
        #expect(w.egress[0].ports.map(\.flows) == [5, 2])
        let a = try #require(Fx.plan(api, in: plan))
        #expect(a.ingress.map(\.peer) == [.workload(web, selector: ["app": "web"])])
        #expect(a.egress.map(\.peer) == [.workload(db, selector: ["app": "db"])])
        let d = try #require(Fx.plan(db, in: plan))
        #expect(d.egress.isEmpty)  // no reply rule back to api
        #expect(Fx.ports(d.ingress.first) == ["TCP/5432"])
        #expect(d.ingress.first?.ports.first?.firstSeen == Fx.t0)
        #expect(plan.namespaces.map(\.name) == ["data", "shop"])  // kube-system: a system namespace, left out
    }

    @Test("external peers: /32 and /128 with their DNS names; internet-facing past the threshold")
    func external() throws {
        let v4 = Endpoint.external("93.184.216.34"), v6 = Endpoint.external("2606:4700::1111")
        var edges = [Fx.edge(web, v4, .tcp, 443), Fx.edge(web, v6, .tcp, 443)]
        for i in 0..<16 { edges.append(Fx.edge(.external("198.51.100.\(i + 1)"), web, .tcp, 443, flows: 1)) }
        for i in 0..<15 { edges.append(Fx.edge(.external("203.0.113.\(i + 1)"), web, .tcp, 80, flows: 1)) }
        edges.append(Fx.edge(.external("10.1.2.3"), web, .tcp, 9000))  // private: always a /32
        let ev = Evidence(edges: edges, labelSets: labels, names: [v4: ["example.com"]])
        let plan = Inferrer().infer(ev)
        let w = try #require(Fx.plan(web, in: plan))
        #expect(w.egress.map(\.peer) == [.ipBlock(cidr: "93.184.216.34/32", except: [], note: "example.com"),
                                         .ipBlock(cidr: "2606:4700::1111/128", except: [], note: "")])
        let internet = w.ingress.filter(\.peer.isInternetFacing)
        #expect(internet.map(\.peer) == [.ipBlock(cidr: "0.0.0.0/0", except: CIDR.privateV4.map(\.description), note: "internet-facing"),
                                         .ipBlock(cidr: "::/0", except: CIDR.privateV6.map(\.description), note: "internet-facing")])
        #expect(internet.allSatisfy { Fx.ports($0) == ["TCP/443"] && $0.ports[0].flows == 16 })
        #expect(w.internetFacingPorts.map(\.port) == [443])
        // Port 80 stayed below the threshold: 15 /32s, plus the private /32.
        #expect(w.ingress.filter { !$0.peer.isInternetFacing }.count == 16)
        #expect(plan.warnings.contains { $0.description.contains("internet-facing") && $0.description.contains("TCP/443") })
        // Threshold is configurable.
        var o = InferenceOptions()
        o.internetThreshold = 100
        #expect(Fx.plan(web, in: Inferrer(options: o).infer(ev))!.internetFacingPorts.isEmpty)
    }

    @Test("DNS: UDP and TCP 53 to the resolver pods actually used, on both ends")
    func dnsBothProtocols() throws {
        let ev = Evidence(edges: [Fx.edge(web, dns, .udp, 53), Fx.edge(api, dns, .tcp, 53)], labelSets: labels)
        var o = InferenceOptions()
        o.includeSystem = true
        let plan = Inferrer(options: o).infer(ev)
        let peer = PeerPlan.workload(dns, selector: ["k8s-app": "kube-dns"])
        for (w, observed) in [(web, Proto.udp), (api, Proto.tcp)] {
            let r = try #require(Fx.rule(Fx.plan(w, in: plan)!.egress, peer))
            #expect(Fx.ports(r) == ["TCP/53", "UDP/53"])
            #expect(r.ports.first { $0.proto == observed }!.flows == 10)
            #expect(r.ports.first { $0.proto != observed }!.isSibling)
        }
        // The resolver's own policy admits both protocols from each client (and, for the DNS baseline, from
        // every pod of the client's namespace).
        let d = try #require(Fx.plan(dns, in: plan))
        #expect(d.ingress.map(\.peer) == [.workload(api, selector: ["app": "api"]), .workload(web, selector: ["app": "web"]),
                                         .namespace("shop")])
        #expect(d.ingress.allSatisfy { Fx.ports($0) == ["TCP/53", "UDP/53"] })
    }

    @Test("a workload that resolved names without DNS flows of its own gets the cluster resolver, with a note")
    func dnsForResolvers() throws {
        let ext = Endpoint.external("93.184.216.34")
        let other = Fx.w("kube-system", "custom-dns")
        let ev = Evidence(edges: [Fx.edge(web, dns, .udp, 53), Fx.edge(db, dns, .udp, 53),
                                  Fx.edge(api, other, .udp, 53), Fx.edge(api, ext, .tcp, 443),
                                  Fx.edge(db, ext, .tcp, 443)],
                          labelSets: labels.merging([other: [["app": "custom-dns"]]]) { a, _ in a },
                          names: [ext: ["example.com"]])
        var o = InferenceOptions()
        o.namespaces = ["shop"]
        let plan = Inferrer(options: o).infer(ev)
        // api used its own resolver: stays with it, gets no other.
        let a = try #require(Fx.plan(api, in: plan))
        #expect(a.egress.filter { Fx.ports($0).contains("UDP/53") }.map(\.peer)
                == [.workload(other, selector: ["app": "custom-dns"])])
        // A workload with only L7 DNS evidence on some edge (no port-53 edge in the window) gets coredns (2 clients).
        let lone = Fx.w("shop", "lone")
        var ev2 = ev
        ev2.labelSets[lone] = [["app": "lone"]]
        let k = EdgeKey(source: lone, destination: ext, proto: .tcp, port: 443, outcome: .allowed)
        ev2.edges.append(ObservedEdge(key: k, stats: EdgeStats(flows: 1, firstSeen: Fx.t0, lastSeen: Fx.t0)))
        ev2.names = [:]
        ev2.l7[k] = [L7Observation(request: .dns(query: "example.com"), stats: EdgeStats(flows: 1))]
        let l = try #require(Fx.plan(lone, in: Inferrer(options: o).infer(ev2)))
        let r = try #require(Fx.rule(l.egress, .workload(dns, selector: ["k8s-app": "kube-dns"])))
        #expect(Fx.ports(r) == ["TCP/53", "UDP/53"])
        #expect(l.notes.contains { $0.description.contains("cluster resolver") && $0.description.contains("kube-system/coredns") })
        // A workload that never resolved anything gets no DNS rule.
        let quiet = Fx.w("shop", "quiet")
        var ev3 = ev
        ev3.labelSets[quiet] = [["app": "quiet"]]
        ev3.edges.append(Fx.edge(quiet, api, .tcp, 80))
        let q = try #require(Fx.plan(quiet, in: Inferrer(options: o).infer(ev3)))
        #expect(q.egress.map(\.peer) == [.workload(api, selector: ["app": "api"])])
    }

    @Test("node-local DNS: an ipBlock of 169.254.20.10, as an external peer or as reserved:host")
    func nodeLocalDNS() throws {
        let nl = Endpoint.external("169.254.20.10")
        let plan = Inferrer().infer(Evidence(edges: [Fx.edge(web, nl, .udp, 53)], labelSets: labels))
        let r = try #require(Fx.plan(web, in: plan)?.egress.first)
        #expect(r.peer == .ipBlock(cidr: "169.254.20.10/32", except: [], note: ""))
        #expect(Fx.ports(r) == ["UDP/53"], "node-local DNS answers from the node: only the observed protocol")
        #expect(Fx.plan(web, in: plan)?.notes.contains(.dnsSiblingNotObserved(proto: .tcp, resolver: nl)) == true)
        let host = Endpoint.reserved("host")
        let plan2 = Inferrer().infer(Evidence(edges: [Fx.edge(web, host, .udp, 53), Fx.edge(host, web, .tcp, 8080)],
                                              labelSets: labels,
                                              addresses: [host: ["172.18.0.2", "169.254.20.10"]]))
        let w = try #require(Fx.plan(web, in: plan2))
        #expect(w.egress.map(\.peer) == [.ipBlock(cidr: "169.254.20.10/32", except: [], note: "node-local DNS")])
        #expect(w.ingress.isEmpty)  // kubelet probes: always allowed from the own node, a note
        #expect(w.notes.contains { $0.description.contains("reserved:host") })
    }

    @Test("reserved peers: host, health and address-less world are notes; apiserver/remote-node are ipBlocks")
    func reserved() throws {
        let api6 = Endpoint.reserved("kube-apiserver")
        let ev = Evidence(edges: [
            Fx.edge(.reserved("health"), web, .tcp, 4240), Fx.edge(.reserved("world"), web, .tcp, 80),
            Fx.edge(web, api6, .tcp, 6443), Fx.edge(web, .reserved("remote-node"), .tcp, 10250),
        ], labelSets: labels, addresses: [api6: ["172.18.0.3", "172.18.0.2"]])
        let w = try #require(Fx.plan(web, in: Inferrer().infer(ev)))
        #expect(w.ingress.isEmpty)
        #expect(w.egress.map(\.peer) == [.ipBlock(cidr: "172.18.0.2/32", except: [], note: "reserved:kube-apiserver"),
                                         .ipBlock(cidr: "172.18.0.3/32", except: [], note: "reserved:kube-apiserver")])
        #expect(w.notes.count == 3)
        #expect(w.notes.contains { $0.description.contains("reserved:health") })
        #expect(w.notes.contains { $0.description.contains("reserved:world") })
        #expect(w.notes.contains { $0.description.contains("reserved:remote-node observed with no address") })
    }

    @Test("denied edges are listed, never allowed; both-ways evidence is a warning")
    func denied() throws {
        let ev = Evidence(edges: [
            Fx.edge(web, db, .tcp, 5432, outcome: .denied), Fx.edge(web, api, .tcp, 80),
            Fx.edge(web, api, .tcp, 80, outcome: .denied),
        ], labelSets: labels)
        let plan = Inferrer().infer(ev)
        #expect(plan.denied.count == 2)
        let w = try #require(Fx.plan(web, in: plan))
        #expect(w.egress.map(\.peer) == [.workload(api, selector: ["app": "api"])])
        let d = try #require(Fx.plan(db, in: plan))  // a visible record that allows nothing
        #expect(d.ingress.isEmpty && d.egress.isEmpty)
        #expect(plan.warnings.contains { $0.description.contains("both allowed and denied") })
    }

    @Test("--min-flows, --since/--until by span overlap, --namespace/--exclude-namespace, ICMP and port 0")
    func filters() throws {
        let h: Int64 = 3600 * Fx.sec
        let ev = Evidence(edges: [
            Fx.edge(web, api, .tcp, 80, flows: 1, last: Fx.t0 + h),
            Fx.edge(web, api, .tcp, 81, flows: 5, first: Fx.t0, last: Fx.t0 + h),
            Fx.edge(web, api, .tcp, 82, flows: 5, first: Fx.t0 + 3 * h, last: Fx.t0 + 4 * h),
            Fx.edge(web, api, .tcp, 83, flows: 5, first: Fx.t0, last: Fx.t0 + h / 4),
            Fx.edge(web, api, .icmpv4, 0, last: Fx.t0 + h), Fx.edge(web, api, .udp, 0, last: Fx.t0 + h),
            Fx.edge(api, db, .tcp, 5432),
        ], labelSets: labels)
        var o = InferenceOptions()
        o.minFlows = 2
        // The evidence window is the store's (whole buckets, FlowStoreTests "time buckets"): inference takes
        // every edge it is given.
        let plan = Inferrer(options: o).infer(ev)
        #expect(Fx.ports(Fx.plan(web, in: plan)?.egress.first) == ["TCP/81", "TCP/82", "TCP/83"])
        // Decided by case, not text: one edge (TCP/80 with 1 flow) was below --min-flows 2.
        #expect(plan.warnings.contains(.belowMinFlows(edges: 1, minFlows: 2)))
        #expect(plan.warnings.contains(.noPort(source: web, destination: api, proto: .icmpv4, port: 0)))
        // ICMP and a portless UDP edge: named, never silently dropped.
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop/web[Deployment] -> shop/api[Deployment] ICMPv4 (no port)") })
        #expect(plan.warnings.contains { $0.description.hasPrefix("shop/web[Deployment] -> shop/api[Deployment] UDP (no port)") })
        #expect(Fx.plan(web, in: plan)?.notes.contains { $0.description.contains("ICMPv4 (no port) observed: not expressible") } == true)
        o = InferenceOptions()
        o.excludeNamespaces = ["data"]
        let p2 = Inferrer(options: o).infer(ev)
        #expect(Fx.plan(db, in: p2) == nil)
        // api still may reach db: its egress rule stays, with db's own selector.
        #expect(Fx.plan(api, in: p2)?.egress.map(\.peer) == [.workload(db, selector: ["app": "db"])])
        o = InferenceOptions()
        o.namespaces = ["data"]
        #expect(Inferrer(options: o).infer(ev).namespaces.map(\.name) == ["data"])
    }

    @Test("named ports only with the option, only when unambiguous, never towards ipBlocks")
    func namedPorts() throws {
        let ext = Endpoint.external("8.8.8.8")
        let ev = Evidence(edges: [Fx.edge(web, api, .tcp, 8080), Fx.edge(web, api, .tcp, 9090),
                                  Fx.edge(web, api, .udp, 8080), Fx.edge(web, ext, .tcp, 8080)],
                          labelSets: labels,
                          containerPorts: [api: [ContainerPort(name: "http", port: 8080), ContainerPort(name: "http", port: 8080),
                                                 ContainerPort(name: "metrics", port: 9090),
                                                 ContainerPort(name: "prom", port: 9090),
                                                 ContainerPort(name: "stats", proto: .udp, port: 8080),
                                                 ContainerPort(name: "", proto: .udp, port: 8080)]])
        #expect(Fx.plan(web, in: Inferrer().infer(ev))!.egress.flatMap(\.ports).allSatisfy { $0.name == nil })
        var o = InferenceOptions()
        o.namedPorts = true
        let plan = Inferrer(options: o).infer(ev)
        let w = try #require(Fx.plan(web, in: plan))
        let toAPI = try #require(Fx.rule(w.egress, .workload(api, selector: ["app": "api"])))
        #expect(toAPI.ports.map { "\($0.proto.rawValue)/\($0.port)=\($0.name ?? "-")" }
                == ["TCP/8080=http", "TCP/9090=-", "UDP/8080=-"])
        #expect(w.egress.first { if case .ipBlock = $0.peer { return true } else { return false } }!
            .ports.allSatisfy { $0.name == nil })
        // The destination's ingress rule names the port the same way.
        #expect(Fx.plan(api, in: plan)!.ingress.first!.ports.first { $0.port == 8080 && $0.proto == .tcp }!.name
                == "http")
    }

    @Test("L7: examples, generalised (method, path) set and DNS names per port entry")
    func l7() throws {
        let k = EdgeKey(source: web, destination: api, proto: .tcp, port: 8080, outcome: .allowed)
        let s = EdgeStats(flows: 1, firstSeen: Fx.t0, lastSeen: Fx.t0)
        let ev = Evidence(edges: [ObservedEdge(key: k, stats: EdgeStats(flows: 3, firstSeen: Fx.t0, lastSeen: Fx.t0)),
                                  Fx.edge(web, dns, .udp, 53)],
                          l7: [k: [L7Observation(request: .http(method: "GET", path: "/orders/1"), stats: s),
                                   L7Observation(request: .http(method: "GET", path: "/orders/2"), stats: s),
                                   L7Observation(request: .http(method: "POST", path: "/orders"), stats: s)],
                               EdgeKey(source: web, destination: dns, proto: .udp, port: 53, outcome: .allowed):
                                   [L7Observation(request: .dns(query: "api.shop.svc.cluster.local"), stats: s)]],
                          labelSets: labels)
        let plan = Inferrer().infer(ev)
        let a = try #require(Fx.plan(api, in: plan)?.ingress.first?.ports.first)
        #expect(a.http.map { "\($0.method) \($0.pathRegex)" } == ["POST /orders", "GET /orders/[0-9]+"])
        #expect(a.examples.count == 3)
        let w = try #require(Fx.plan(web, in: plan))
        let d = try #require(Fx.rule(w.egress, .workload(dns, selector: ["k8s-app": "kube-dns"])))
        #expect(d.ports.first { $0.proto == .udp }?.dnsQueries == ["api.shop.svc.cluster.local"])
    }

    @Test("a namespace whose known workloads saw no traffic gets no default-deny; warnings name the workloads")
    func idleNamespace() {
        let idle = Fx.w("idle", "batch"), worker = Fx.w("shop", "worker")
        let plan = Inferrer().infer(Evidence(edges: [Fx.edge(web, api, .tcp, 80)],
                                             labelSets: labels.merging([idle: [["app": "batch"]],
                                                                        worker: [["app": "worker"]]]) { a, _ in a }))
        #expect(!plan.namespaces.map(\.name).contains("idle"))
        #expect(plan.warnings.contains { $0.description.hasPrefix("idle: no traffic of its pods was observed (known workloads: idle/batch[Deployment])") })
        // An idle workload in a namespace that gets a default-deny is named, not counted.
        #expect(plan.warnings.contains { $0.description.hasPrefix("3 known workload(s) had no allowed traffic in the evidence (data/db[StatefulSet], idle/batch[Deployment], shop/worker[Deployment])") })
    }
}
