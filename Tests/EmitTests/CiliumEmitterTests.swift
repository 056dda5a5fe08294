@testable import Emit
import FlowModel
import Testing
import FlowModel
import Yams
@testable import Inference
@testable import Policy

@Suite("CiliumNetworkPolicy content")
struct CiliumEmitterTests {
    static func docs() throws -> [String: [String: Any]] {
        let text = PolicyEmitter(options: EmitSupport.options(.cilium)).stream(for: SyntheticPlan.plan)
        var out = [String: [String: Any]]()
        for d in try Tree.docs(text) { out[Tree.name(d)] = d }
        return out
    }

    @Test("default deny: every endpoint, an empty rule each way")
    func defaultDeny() throws {
        let d = try #require(try Self.docs()["default-deny"])
        #expect(Tree.at(d, "apiVersion") as? String == "cilium.io/v2")
        #expect(Tree.at(d, "kind") as? String == "CiliumNetworkPolicy")
        #expect((Tree.at(d, "spec", "endpointSelector") as? [String: Any])?.isEmpty == true)
        #expect(Tree.list(d, "spec", "ingress").count == 1)
        #expect(Tree.list(d, "spec", "egress").count == 1)
        #expect((Tree.at(d, "spec", "ingress", 0) as? [String: Any])?.isEmpty == true)
        #expect(Tree.at(d, "metadata", "labels", "app.kubernetes.io/managed-by") as? String == "flowmap")
        #expect(Tree.at(d, "metadata", "annotations", "flowmap.io/evidence-since") as? String == "2024-05-01")
    }

    @Test("endpoint peers name their namespace; HTTP rules carry method and path regex")
    func endpointsAndHTTP() throws {
        let web = try #require(try Self.docs()["allow-web"])
        #expect(Tree.strings(Tree.at(web, "spec", "endpointSelector", "matchLabels")) == ["app.kubernetes.io/name": "web"])
        let first = Tree.at(web, "spec", "ingress", 0)
        #expect(Tree.strings(Tree.at(first, "fromEndpoints", 0, "matchLabels"))
                == ["app.kubernetes.io/name": "ingress-nginx", "k8s:io.kubernetes.pod.namespace": "ingress-nginx"])
        let http = Tree.list(first, "toPorts", 0, "rules", "http").compactMap(Tree.strings)
        #expect(http == [["method": "GET", "path": "/api/v1/items/[0-9]+"],
                         ["method": "POST", "path": "/api/v1/cart"],
                         ["method": "GET", "path": "/healthz"],
                         ["method": "GET", "path": "/static/app\\.js"]])
        #expect(Tree.strings(Tree.at(first, "toPorts", 0, "ports", 0)) == ["port": "8080", "protocol": "TCP"])
        // Internet-facing stays a CIDR set with the private ranges excepted.
        let internet = Tree.at(web, "spec", "ingress", 1, "fromCIDRSet", 0)
        #expect(Tree.at(internet, "cidr") as? String == "0.0.0.0/0")
        #expect(Tree.list(internet, "except").count == CIDR.privateV4.map(\.description).count)
    }

    @Test("named external peer becomes toFQDNs and its name joins the DNS rule")
    func fqdn() throws {
        let web = try #require(try Self.docs()["allow-web"])
        let egress = Tree.list(web, "spec", "egress")
        let fqdnRules = egress.filter { Tree.at($0, "toFQDNs") != nil }
        #expect(fqdnRules.count == 1)
        #expect(Tree.strings(Tree.at(fqdnRules.first, "toFQDNs", 0)) == ["matchName": "api.stripe.com"])
        #expect(!egress.contains { Tree.at($0, "toCIDRSet", 0, "cidr") as? String == "52.1.2.3/32" })
        let dnsRule = try #require(egress.first { Tree.at($0, "toEndpoints") != nil
            && Tree.at($0, "toPorts", 0, "rules", "dns") != nil })
        let names = Tree.list(dnsRule, "toPorts", 0, "rules", "dns").compactMap { Tree.at($0, "matchName") as? String }
        #expect(names == ["api.stripe.com", "redis.shop.svc.cluster.local"])
        let ports = Tree.list(dnsRule, "toPorts", 0, "ports").compactMap(Tree.strings)
        #expect(Set(ports) == [["port": "53", "protocol": "UDP"], ["port": "53", "protocol": "TCP"]])
    }

    @Test("named external peer without a DNS rule stays a CIDR")
    func fqdnNeedsDNS() throws {
        let worker = try #require(try Self.docs()["allow-worker"])
        let egress = Tree.list(worker, "spec", "egress")
        #expect(egress.count == 1)
        #expect(Tree.at(egress.first, "toFQDNs") == nil)
        #expect(Tree.at(egress.first, "toCIDRSet", 0, "cidr") as? String == "93.184.216.34/32")
    }

    @Test("DNS seen only at L4 with a named peer: matchPattern '*' so toFQDNs can learn; invalid names left out")
    func dnsAny() throws {
        let mailer = try #require(try Self.docs()["allow-mailer"])
        let egress = Tree.list(mailer, "spec", "egress")
        let dns = Tree.list(egress.first, "toPorts", 0, "rules", "dns").compactMap(Tree.strings)
        #expect(dns == [["matchPattern": "*"]])
        #expect(Tree.list(egress.last, "toFQDNs").compactMap(Tree.strings) == [["matchName": "smtp.example.net"]])
    }

    @Test("entities replace the ipBlocks that stand for them, and the notes about them")
    func entities() throws {
        let web = try #require(try Self.docs()["allow-web"])
        let egress = Tree.list(web, "spec", "egress")
        #expect(egress.contains { (Tree.list($0, "toEntities") as? [String]) == ["kube-apiserver"] })
        #expect(!egress.contains { Tree.at($0, "toCIDRSet", 0, "cidr") as? String == "10.96.0.1/32" })
        let ingress = Tree.list(web, "spec", "ingress")
        let host = try #require(ingress.first { Tree.at($0, "fromEntities") != nil })
        #expect(Tree.list(host, "fromEntities") as? [String] == ["host"])
        #expect(Tree.strings(Tree.at(host, "toPorts", 0, "ports", 0)) == ["port": "8080", "protocol": "TCP"])
        let text = PolicyEmitter(options: EmitSupport.options(.cilium)).stream(for: SyntheticPlan.plan)
        #expect(!text.contains("traffic from reserved:host"))
        // The NetworkPolicy flavour keeps the ipBlock and the note.
        let k8s = PolicyEmitter(options: EmitSupport.options(.k8s)).stream(for: SyntheticPlan.plan)
        #expect(k8s.contains("cidr: \"10.96.0.1/32\""))
        #expect(k8s.contains("traffic from reserved:host"))
    }

    @Test("a reserved-peer note is dropped only for the entity and direction a rule names (by case, not by text)")
    func entityNotesByDirection() {
        let host = EntityRulePlan(entity: "host", ports: [SyntheticPlan.port(.tcp, 8080, flows: 3)])
        let w = SyntheticPlan.workload("shop", "web", selector: ["app": "web"], notes: [
            .reservedPeer(entity: "host", direction: .from, reason: .alwaysAllowedNode),
            .reservedPeer(entity: "host", direction: .to, reason: .alwaysAllowedNode),
            .reservedPeer(entity: "kube-apiserver", direction: .from, reason: .noAddress),
        ], ingressEntities: [host])
        let plan = PolicyPlan(namespaces: [NamespacePlan(name: "shop", workloads: [w])], denied: [], warnings: [],
                              firstSeen: nil, lastSeen: nil)
        let text = PolicyEmitter(options: EmitSupport.options(.cilium)).stream(for: plan)
        #expect(!text.contains("note: traffic from reserved:host"))
        #expect(text.contains("note: traffic to reserved:host (node, kubelet probes)"))
        #expect(text.contains("note: traffic from reserved:kube-apiserver observed with no address"))
    }

    @Test("workloads sharing a name get distinct, valid policy names; long names are shortened stably")
    func names() throws {
        let names = try Self.docs().keys.sorted()
        #expect(names.count == 8)
        #expect(names.filter { $0.hasPrefix("allow-cache-") }.count == 2)
        for n in names {
            #expect(n.count <= 63 && PolicyNameTests.isDNSLabel(n), "\(n)")
        }
        #expect(names.contains { $0.hasPrefix("allow-very-long-workload-name") && $0.count > 55 })
        // A policy that allows nothing is still a valid document with a rule list.
        let onlyNotes = try #require(try Self.docs()[names.first { $0.hasPrefix("allow-cache-statefulset") }!])
        #expect(Tree.list(onlyNotes, "spec", "ingress").count == 1)
    }
}

extension CiliumEmitterTests {
    @Test("more than 40 ports to one peer are split over toPorts entries (the CRD's limit)")
    func portLimit() throws {
        let scraper = try #require(try Self.docs()["allow-scraper"])
        let entries = Tree.list(scraper, "spec", "egress", 0, "toPorts")
        #expect(entries.map { Tree.list($0, "ports").count } == [40, 5])
    }
}

@Suite("Policy names")
struct PolicyNameTests {
    static func isDNSLabel(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, let l = s.unicodeScalars.last, !s.isEmpty, s.count <= 63 else {
            return false
        }
        let alnum: (Unicode.Scalar) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }
        return alnum(f) && alnum(l) && s.unicodeScalars.allSatisfy { alnum($0) || $0 == "-" }
    }

    @Test("valid DNS-1123 labels, stable hash suffix when changed or long",
          arguments: ["web", "Web", "a_b", String(repeating: "x", count: 80), "", "---", "日本", "allow-web", "ä"])
    func valid(_ raw: String) {
        let n = PolicyName.make("allow", raw)
        #expect(Self.isDNSLabel(n), "\(n)")
        #expect(n == PolicyName.make("allow", raw))
        if raw == "web" { #expect(n == "allow-web") }
    }

    @Test("distinct inputs that sanitise alike get distinct names")
    func distinct() {
        #expect(PolicyName.make("allow", "a_b") != PolicyName.make("allow", "a.b"))
        #expect(PolicyName.make("allow", String(repeating: "x", count: 80))
                != PolicyName.make("allow", String(repeating: "x", count: 81)))
    }
}
