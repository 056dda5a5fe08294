@testable import Emit
import FlowModel
import Testing
@testable import Inference
@testable import Policy

/// The namespace-wide documents: a default-deny for the observed directions only (none when none was observed),
/// and the DNS baseline `allow-dns`, in both flavours; read back by FlowMap's manifest reader.
@Suite("Namespace policies: one-sided default-deny and the DNS baseline")
struct NamespacePolicyTests {
    static let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
    static let redis = Endpoint.workload("cache", "redis", kind: "Deployment")
    static let baselinePorts = [Proto.udp, .tcp].map {
        PortPlan(proto: $0, port: 53, flows: 0, firstSeen: 0, lastSeen: 0, examples: [PortPlan.dnsBaselineNote])
    }
    static var plan: PolicyPlan {
        let resolver = WorkloadPlan(endpoint: dns, selector: ["k8s-app": "kube-dns"],
                                    ingress: [RulePlan(peer: .namespace("cache"), ports: baselinePorts)])
        let onlyNotes = WorkloadPlan(endpoint: redis, selector: ["app": "redis"], notes: [.noDNSServer])
        return PolicyPlan(namespaces: [
            NamespacePlan(name: "cache", workloads: [onlyNotes], denyIngress: false, denyEgress: true,
                          notes: [.directionNotObserved(ingress: true, knownWorkloads: "cache/redis[Deployment]")],
                          dnsBaseline: [RulePlan(peer: .workload(dns, selector: ["k8s-app": "kube-dns"]),
                                                 ports: baselinePorts)]),
            NamespacePlan(name: "kube-system", workloads: [resolver], denyIngress: true, denyEgress: false),
        ], denied: [], warnings: [], firstSeen: nil, lastSeen: nil)
    }

    func policies(_ flavor: EmitOptions.Flavor) -> [String: String] {
        var out = [String: String]()
        for f in PolicyEmitter(options: EmitSupport.options(flavor, .perWorkload)).files(for: Self.plan) {
            out[f.name] = f.text
        }
        return out
    }

    @Test("NetworkPolicy: default-deny lists only the observed directions; allow-dns; a namespace peer")
    func networkPolicy() throws {
        let files = policies(.k8s).filter { $0.key.hasSuffix(".yaml") }  // not the evidence report
        #expect(files.keys.sorted() == ["cache/allow-dns.yaml", "cache/allow-redis.yaml", "cache/default-deny.yaml",
                                        "kube-system/allow-coredns.yaml", "kube-system/default-deny.yaml",
                                        "kustomization.yaml"])
        let set = ManifestReader.parse(text: files.filter { $0.key != "kustomization.yaml" }.sorted { $0.key < $1.key }
            .map(\.value).joined(separator: "---\n"), file: "t.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        func policy(_ q: String) -> NetworkPolicy? { set.policies.first { $0.qualifiedName == q } }
        #expect(policy("cache/default-deny")?.policyTypes == [.egress])
        #expect(policy("kube-system/default-deny")?.policyTypes == [.ingress])
        #expect(files["cache/default-deny.yaml"]!.contains("# note: no ingress to its pods was observed (known workloads: cache/redis[Deployment])"))
        let allowDNS = try #require(policy("cache/allow-dns"))
        #expect(allowDNS.policyTypes == [.egress] && allowDNS.podSelector.isEmpty && allowDNS.egress.count == 1)
        #expect(files["cache/allow-dns.yaml"]!.contains("port: 53  # DNS baseline for every pod of the namespace"))
        // The resolver admits every pod of the namespace: a namespaceSelector alone.
        #expect(files["kube-system/allow-coredns.yaml"]!.contains(
            "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: cache\n"
                + "      ports:\n"))
        // A record-only policy isolates a direction its namespace already isolates (here Egress), never Ingress.
        #expect(policy("cache/allow-redis")?.policyTypes == [.egress])
    }

    @Test("Cilium: one-sided default-deny, allow-dns with every name, namespace peer")
    func cilium() throws {
        let files = policies(.cilium)
        let deny = try #require(try Tree.docs(files["cache/default-deny.yaml"]!).first)
        #expect(Tree.at(deny, "spec", "ingress") == nil)
        #expect(Tree.list(deny, "spec", "egress").count == 1)
        let allow = try #require(try Tree.docs(files["cache/allow-dns.yaml"]!).first)
        #expect((Tree.at(allow, "spec", "endpointSelector") as? [String: Any])?.isEmpty == true)
        #expect(files["cache/allow-dns.yaml"]!.contains("matchPattern: \"*\""))
        #expect(files["kube-system/allow-coredns.yaml"]!.contains("k8s:io.kubernetes.pod.namespace: cache"))
    }
}
