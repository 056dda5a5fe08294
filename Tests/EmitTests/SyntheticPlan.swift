import FlowModel
@testable import Inference

/// A hand-built plan that exercises what the real samples do not: named external peers (toFQDNs), entity
/// peers, internet-facing ingress, HTTP rules with regexes, a DNS rule, kind collisions, long names.
enum SyntheticPlan {
    static let t0: Int64 = 1_714_521_600_000_000_000  // 2024-05-01T00:00:00Z
    static let t1: Int64 = t0 + 3_600_000_000_000

    static func port(_ proto: Proto, _ n: UInt16, flows: Int64 = 10, examples: [String] = [],
                     http: [HTTPRulePlan] = [], dns: [String] = []) -> PortPlan {
        PortPlan(proto: proto, port: n, name: nil, flows: flows, firstSeen: flows == 0 ? 0 : t0,
                 lastSeen: flows == 0 ? 0 : t1, examples: examples, http: http, dnsQueries: dns)
    }

    static func http(_ method: String, _ regex: String, _ template: String, _ requests: Int64,
                     _ examples: [String]) -> HTTPRulePlan {
        HTTPRulePlan(method: method, pathRegex: regex, pathTemplate: template, requests: requests, firstSeen: t0,
                     lastSeen: t1, examples: examples)
    }

    static func workload(_ ns: String, _ name: String, _ kind: String = "Deployment", selector: Labels,
                         ingress: [RulePlan] = [], egress: [RulePlan] = [], notes: [InferenceNote] = [],
                         warning: String? = nil, ingressEntities: [EntityRulePlan] = [],
                         egressEntities: [EntityRulePlan] = []) -> WorkloadPlan {
        WorkloadPlan(endpoint: .workload(ns, name, kind: kind), selector: selector, selectorWarning: warning,
                     ingress: ingress, egress: egress, notes: notes, ingressEntities: ingressEntities,
                     egressEntities: egressEntities)
    }

    static let coredns = PeerPlan.workload(.workload("kube-system", "coredns", kind: "Deployment"),
                                           selector: ["k8s-app": "kube-dns"])

    static var plan: PolicyPlan {
        let itemHTTP = [
            http("GET", "/api/v1/items/[0-9]+", "/api/v1/items/{int}", 40,
                 ["/api/v1/items/1", "/api/v1/items/2", "/api/v1/items/3"]),
            http("POST", "/api/v1/cart", "/api/v1/cart", 3, ["/api/v1/cart"]),
            http("GET", "/healthz", "/healthz", 100, ["/healthz"]),
            http("GET", "/static/app\\.js", "/static/app.js", 9, ["/static/app.js"]),
        ]
        let web = workload(
            "shop", "web", selector: ["app.kubernetes.io/name": "web"],
            ingress: [
                RulePlan(peer: .workload(.workload("ingress-nginx", "ingress-nginx-controller", kind: "Deployment"),
                                         selector: ["app.kubernetes.io/name": "ingress-nginx"]),
                         ports: [port(.tcp, 8080, flows: 143, examples: ["GET /api/v1/items/1", "GET /healthz"],
                                      http: itemHTTP)]),
                RulePlan(peer: .ipBlock(cidr: "0.0.0.0/0", except: CIDR.privateV4.map(\.description), note: "internet-facing"),
                         ports: [port(.tcp, 8443, flows: 500, examples: ["20 distinct internet sources"])]),
                RulePlan(peer: .ipBlock(cidr: "::/0", except: CIDR.privateV6.map(\.description), note: "internet-facing"),
                         ports: [port(.tcp, 8443, flows: 500, examples: ["20 distinct internet sources"])]),
            ],
            egress: [
                RulePlan(peer: coredns, ports: [
                    port(.tcp, 53, flows: 0),
                    port(.udp, 53, flows: 220, examples: ["DNS api.stripe.com", "DNS redis.shop.svc.cluster.local"],
                         dns: ["api.stripe.com", "redis.shop.svc.cluster.local"]),
                ]),
                RulePlan(peer: .workload(.workload("shop", "redis", kind: "StatefulSet"), selector: ["app": "redis"]),
                         ports: [port(.tcp, 6379, flows: 900)]),
                RulePlan(peer: .ipBlock(cidr: "10.96.0.1/32", except: [], note: "reserved:kube-apiserver"),
                         ports: [port(.tcp, 443, flows: 12)]),
                RulePlan(peer: .ipBlock(cidr: "52.1.2.3/32", except: [], note: "api.stripe.com"),
                         ports: [port(.tcp, 443, flows: 7)]),
            ],
            notes: [.reservedPeer(entity: "host", direction: .from, reason: .alwaysAllowedNode)],
            ingressEntities: [EntityRulePlan(entity: "host", ports: [port(.tcp, 8080, flows: 60)])],
            egressEntities: [EntityRulePlan(entity: "kube-apiserver", ports: [port(.tcp, 443, flows: 12)])])
        // External peer with a name but no observed DNS rule: stays a CIDR (toFQDNs would never learn it).
        let worker = workload(
            "shop", "worker", "StatefulSet", selector: ["app": "worker"],
            egress: [RulePlan(peer: .ipBlock(cidr: "93.184.216.34/32", except: [], note: "example.org"),
                              ports: [port(.tcp, 443, flows: 2)])])
        // DNS seen at L4 only, plus a named external peer: every DNS name, so toFQDNs can work.
        let mailer = workload(
            "shop", "mailer", selector: ["app": "mailer"],
            egress: [
                RulePlan(peer: coredns, ports: [port(.udp, 53, flows: 5), port(.tcp, 53, flows: 0)]),
                RulePlan(peer: .ipBlock(cidr: "198.51.100.25/32", except: [], note: "smtp.example.net"),
                         ports: [port(.tcp, 587, flows: 5)]),
            ])
        // Two kinds with one name, and only notes.
        let cacheD = workload("shop", "cache", selector: ["app": "cache", "tier": "front"],
                              ingress: [RulePlan(peer: .workload(.workload("shop", "web", kind: "Deployment"),
                                                                 selector: ["app.kubernetes.io/name": "web"]),
                                                 ports: [port(.tcp, 11211, flows: 30)])])
        let cacheS = workload("shop", "cache", "StatefulSet", selector: ["app": "cache", "tier": "back"],
                              notes: [.reservedPeer(entity: "health", direction: .from, reason: .notExpressible)],
                              warning: "selector also matches shop/cache[Deployment]: no label set separates them")
        let long = workload("shop", String(repeating: "very-long-workload-name-", count: 4) + "end",
                            selector: ["app": "long"],
                            egress: [RulePlan(peer: coredns, ports: [port(.udp, 53, flows: 1, dns: ["x.example.com"]),
                                                                     port(.tcp, 53, flows: 0)])])
        // More ports to one peer than one Cilium toPorts entry may hold (40).
        let scraper = workload("shop", "scraper", selector: ["app": "scraper"],
                               egress: [RulePlan(peer: .ipBlock(cidr: "10.1.2.3/32", except: [], note: ""),
                                                 ports: (9000..<9045).map { port(.tcp, UInt16($0), flows: 1) })])
        var plan = PolicyPlan(
            namespaces: [NamespacePlan(name: "shop",
                                       workloads: [cacheD, cacheS, mailer, scraper, web, worker, long])],
            denied: [], warnings: [], firstSeen: t0, lastSeen: t1)
        plan.externalNames = ["52.1.2.3/32": ["api.stripe.com"], "93.184.216.34/32": ["example.org"],
                              "198.51.100.25/32": ["smtp.example.net", "bad name!"]]
        return plan
    }
}
