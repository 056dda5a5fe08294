import FlowModel
import Foundation
import TestSupport
import Testing
@testable import Policy

/// Cilium's published example policies and the Star Wars demo (Fixtures/cilium-examples, see SOURCES.md):
/// they validate against the CRD schema, parse without issues, and evaluate to the verdicts Cilium's
/// documentation describes for them.
@Suite struct CiliumExamplesTests {
    static let dir = Repository.fixtures("PolicyTests", "cilium-examples")
    static let policyFiles = ["cidr.yaml", "dns.yaml", "egress-deny.yaml", "fqdn.yaml", "host.yaml", "isolate-namespaces.yaml",
                              "l3.yaml", "namespace-labels-policy.yaml", "sw_deny_policy.yaml", "sw_l3_l4_l7_policy.yaml",
                              "sw_l3_l4_policy.yaml"]

    /// The examples' cluster plus one policy file, evaluated.
    struct Example {
        let set: ManifestSet
        let ev: CiliumEvaluator

        init(_ file: String, dnsNames: [String: [String]] = [:]) throws {
            var set = try ManifestReader.read(paths: [dir.appendingPathComponent("cluster.yaml").path,
                                                      dir.appendingPathComponent("http-sw-app.yaml").path])
            set.merge(try ManifestReader.read(path: dir.appendingPathComponent(file).path))
            self.set = set
            var names: [IPAddr: [String]] = [:]
            for (k, v) in dnsNames { names[IPAddr(k)!] = v }
            ev = CiliumEvaluator(policies: set.ciliumPolicies, networkPolicies: set.policies,
                                 namespaces: Array(set.namespaces.values), workloads: WorkloadBuilder.workloads(from: set),
                                 dnsNames: names)
        }

        func peer(_ s: String) -> CiliumPeer { ciliumPeer(s, ev.workloads) }

        func conn(_ a: String, _ b: String) -> String { ev.connections(from: peer(a), to: peer(b)).description }

        func request(_ a: String, _ b: String, _ port: Int, _ r: L7Request, _ proto: Proto = .tcp) -> Bool {
            ev.allows(from: peer(a), to: peer(b), proto: proto, port: port, request: r)
        }
    }

    @Test(arguments: policyFiles) func exampleParsesWithoutIssues(file: String) throws {
        let e = try Example(file)
        #expect(e.set.issues.isEmpty, "\(e.set.issues)")
        #expect(!e.set.ciliumPolicies.isEmpty)
    }

    @Test func starWarsL3L4() throws {
        let e = try Example("sw_l3_l4_policy.yaml")
        #expect(e.conn("default/tiefighter", "default/deathstar") == "TCP 80")
        #expect(e.conn("default/xwing", "default/deathstar") == "No Connections")
        #expect(e.conn("default/xwing", "default/tiefighter") == "All Connections")
    }

    @Test func starWarsL7() throws {
        let e = try Example("sw_l3_l4_l7_policy.yaml")
        #expect(e.request("default/tiefighter", "default/deathstar", 80, .http(method: "POST", path: "/v1/request-landing")))
        #expect(!e.request("default/tiefighter", "default/deathstar", 80, .http(method: "PUT", path: "/v1/exhaust-port")))
        #expect(!e.request("default/xwing", "default/deathstar", 80, .http(method: "POST", path: "/v1/request-landing")))
    }

    @Test func starWarsDefaultDeny() throws {
        let e = try Example("sw_deny_policy.yaml")
        #expect(e.conn("default/xwing", "default/tiefighter") == "No Connections")
        #expect(e.conn("default/tiefighter", "default/deathstar") == "No Connections")
        #expect(e.conn("default/deathstar", "default/xwing") == "All Connections")
    }

    @Test func layer3Labels() throws {
        let e = try Example("l3.yaml")
        #expect(e.conn("default/frontend", "default/backend") == "All Connections")
        #expect(e.conn("default/test-app", "default/backend") == "No Connections")
    }

    @Test func cidrWithExcept() throws {
        let e = try Example("cidr.yaml")
        #expect(e.conn("default/my-service", "20.1.1.1") == "All Connections")
        #expect(e.conn("default/my-service", "10.1.2.3") == "All Connections")
        #expect(e.conn("default/my-service", "10.96.0.1") == "No Connections")
        #expect(e.conn("default/my-service", "8.8.8.8") == "No Connections")
        #expect(e.conn("default/my-service", "default/backend") == "No Connections")
    }

    @Test func fqdnAndDNSServer() throws {
        let e = try Example("fqdn.yaml", dnsNames: ["203.0.113.5": ["my-remote-service.com"]])
        #expect(e.conn("default/test-app", "kube-system/coredns") == "All Connections")
        #expect(e.conn("default/test-app", "203.0.113.5") == "All Connections")
        #expect(e.conn("default/test-app", "203.0.113.6") == "No Connections")
    }

    @Test func namespacesIsolated() throws {
        let e = try Example("isolate-namespaces.yaml")
        #expect(e.conn("ns1/a", "ns1/b") == "All Connections")
        #expect(e.conn("ns2/c", "ns1/a") == "No Connections")
        #expect(e.conn("ns1/a", "ns2/c") == "No Connections")
        #expect(e.conn("default/backend", "ns2/c") == "No Connections")
    }

    @Test func egressDenyOverridesAll() throws {
        let e = try Example("egress-deny.yaml")
        #expect(e.conn("default/frontend", "default/backend") == "No Connections")
        #expect(e.conn("default/frontend", "8.8.8.8") == "All Connections")
        #expect(e.conn("default/frontend", "kube-system/coredns") == "All Connections")
    }

    @Test func namespaceLabels() throws {
        let e = try Example("namespace-labels-policy.yaml")
        #expect(e.conn("rebels/rebel-base", "default/rebel-base") == "All Connections")
        #expect(e.conn("default/xwing", "default/rebel-base") == "No Connections")
        #expect(e.conn("default/rebel-base", "default/xwing") == "No Connections")
        #expect(e.conn("default/rebel-base", "rebels/rebel-base") == "All Connections")
    }

    @Test func hostEntity() throws {
        let e = try Example("host.yaml")
        #expect(e.conn("default/frontend", "host") == "All Connections")
        #expect(e.conn("default/frontend", "remote-node") == "No Connections")
        #expect(e.conn("default/frontend", "8.8.8.8") == "No Connections")
    }

    @Test func dnsRulesAndFQDNs() throws {
        let e = try Example("dns.yaml", dnsNames: ["198.51.100.1": ["sub.cilium.io"], "198.51.100.2": ["special-a-service.api.cilium.io"]])
        #expect(e.request("default/xwing", "kube-system/coredns", 53, .dns(query: "api.cilium.io"), .udp))
        #expect(e.request("default/xwing", "kube-system/coredns", 53, .dns(query: "cilium.io"), .tcp))
        #expect(!e.request("default/xwing", "kube-system/coredns", 53, .dns(query: "example.com"), .udp))
        #expect(e.conn("default/xwing", "198.51.100.1") == "TCP 80")
        #expect(e.conn("default/xwing", "198.51.100.2") == "TCP 80")
        #expect(e.conn("default/xwing", "198.51.100.3") == "No Connections")
        #expect(e.conn("default/tiefighter", "198.51.100.3") == "All Connections")
    }
}
