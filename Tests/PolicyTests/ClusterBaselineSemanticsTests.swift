@testable import Emit
import FlowModel
import Inference
@testable import Policy
import Testing

/// What `generate --cluster-baseline` writes, evaluated (docs/admin-network-policy-semantics.md, "generate
/// --cluster-baseline"): namespace `app` is covered, `other` is one the run never saw, `kube-system` is left out.
@Suite struct ClusterBaselineSemanticsTests {
    static let cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: app}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: other}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: kube-system}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: app, labels: {app: web}}
        spec: {nodeName: n1, containers: [{name: c, image: x}]}
        status: {podIP: 10.0.1.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: idle, namespace: app, labels: {app: idle}}
        spec: {nodeName: n1, containers: [{name: c, image: x}]}
        status: {podIP: 10.0.1.2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: x, namespace: other, labels: {app: x}}
        spec: {nodeName: n2, containers: [{name: c, image: x}]}
        status: {podIP: 10.0.2.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
        spec: {nodeName: n2, containers: [{name: c, image: x}]}
        status: {podIP: 10.0.9.1}
        """

    /// app/web reaches 93.184.216.34 TCP 443 and was seen resolving on UDP 53; app/idle has no evidence.
    static var plan: PolicyPlan {
        let web = Endpoint.workload("app", "web", kind: "Deployment")
        let dns = Endpoint.workload("kube-system", "coredns", kind: "Deployment")
        func port(_ proto: Proto, _ n: UInt16, _ flows: Int64) -> PortPlan {
            PortPlan(proto: proto, port: n, flows: flows, firstSeen: 1, lastSeen: 2)
        }
        let resolver = PeerPlan.workload(dns, selector: ["k8s-app": "kube-dns"])
        let w = WorkloadPlan(endpoint: web, selector: ["app": "web"], egress: [
            RulePlan(peer: resolver, ports: [port(.udp, 53, 5)]),
            RulePlan(peer: .ipBlock(cidr: "93.184.216.34/32", except: [], note: ""), ports: [port(.tcp, 443, 3)]),
        ])
        let baseline = [RulePlan(peer: resolver, ports: [port(.tcp, 53, 0), port(.udp, 53, 0)])]
        return PolicyPlan(namespaces: [NamespacePlan(name: "app", workloads: [w], dnsBaseline: baseline)], denied: [],
                          warnings: [], firstSeen: 1, lastSeen: 2)
    }

    static func harness(_ kind: ClusterBaseline.Kind) -> (Harness, ClusterBaseline) {
        let (p, b) = ClusterBaseline.apply(to: plan, kind: kind, scoped: false, leftOut: ["kube-system"])
        let text = PolicyEmitter().stream(for: p, baseline: b!)
        return (Harness(text, cluster: cluster), b!)
    }

    @Test(arguments: ClusterBaseline.Kind.allCases)
    func evaluatesAsDocumented(kind: ClusterBaseline.Kind) {
        let (h, b) = Self.harness(kind)
        #expect(h.set.issues.isEmpty, "\(h.set.issues)")
        #expect(b.covered == ["app"] && b.leftOut == ["kube-system"])
        #expect(h.set.policies.map(\.qualifiedName).sorted() == ["app/allow-web", "app/default-deny"])
        // An isolating allow policy decides alone (T2): it carries the DNS baseline itself.
        #expect(h.conn("app/web", "kube-system/coredns") == "TCP 53,UDP 53")
        #expect(h.conn("app/web", "93.184.216.34") == "TCP 443")
        #expect(h.conn("app/web", "8.8.8.8") == "No Connections")
        // A pod without an egress allow policy: the baseline keeps DNS and denies the rest.
        #expect(h.conn("app/idle", "kube-system/coredns") == "TCP 53,UDP 53")
        #expect(h.conn("app/idle", "8.8.8.8") == "No Connections")
        #expect(h.conn("app/idle", "app/web") == "No Connections")
        // Ingress from outside the cluster stays denied by the namespace's ingress default-deny NetworkPolicy.
        #expect(h.conn("world", "app/idle") == "No Connections")
        #expect(h.conn("kube-system/coredns", "app/idle") == "No Connections")
        // A namespace the run never saw: egress denied but DNS, in-cluster ingress denied; ingress from outside
        // the cluster is beyond what a baseline rule can name (documented).
        #expect(h.conn("other/x", "8.8.8.8") == "No Connections")
        #expect(h.conn("other/x", "kube-system/coredns") == "TCP 53,UDP 53")
        #expect(h.conn("kube-system/coredns", "other/x") == "No Connections")
        #expect(h.conn("world", "other/x") == "All Connections")
        // Left out: kube-system is not a subject.
        #expect(h.conn("kube-system/coredns", "8.8.8.8") == "All Connections")
    }

    @Test(arguments: ClusterBaseline.Kind.allCases)
    func modelEqualsTheYAMLReadBack(kind: ClusterBaseline.Kind) {
        let (h, b) = Self.harness(kind)
        var read = h.set.adminPolicies
        for i in read.indices { read[i].location = nil }
        #expect(read == [b.policy])
    }

    @Test func scopedRunNamesItsNamespaces() {
        let (_, b) = ClusterBaseline.apply(to: Self.plan, kind: .cnp, scoped: true, leftOut: ["kube-system"])
        #expect(b?.leftOut == nil)
        #expect(b?.subjectSelector.description == "kubernetes.io/metadata.name in (app)")
    }

    @Test func namespacesWithOneDirectionOrAnotherDNSBaselineKeepTheirOwnPolicies() {
        var p = Self.plan
        p.namespaces.append(NamespacePlan(name: "half", workloads: [], denyIngress: true, denyEgress: false))
        p.namespaces.append(NamespacePlan(name: "own-dns", workloads: [], dnsBaseline: []))
        p.namespaces.append(NamespacePlan(name: "same", workloads: [], dnsBaseline: p.namespaces[0].dnsBaseline))
        let (q, b) = ClusterBaseline.apply(to: p, kind: .cnp, scoped: false,
                                           leftOut: ["kube-system", "app", "half", "own-dns", "same"])
        #expect(b?.covered == ["app", "same"])
        #expect(b?.leftOut == ["half", "kube-system", "own-dns"])
        #expect(q.namespaces.map(\.denyEgress) == [false, false, true, false])
        #expect(q.namespaces[2].denyEgress && q.namespaces[2].dnsBaseline.isEmpty)
        #expect(q.warnings.contains { $0.description.hasPrefix("own-dns: keeps its own default-deny and allow-dns") })
    }
}
