import FlowModel
import Foundation
@testable import Policy
import Testing

/// The network-policy-api's ClusterNetworkPolicy user-story examples (Fixtures/network-policy-api/SOURCES.md)
/// evaluate as its `user-stories.md` says.
@Suite struct NetworkPolicyAPIExampleTests {
    static let cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: sensitive-ns}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: monitoring-ns}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: kube-system}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: bar-ns-1}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: foo-ns-1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: secret, namespace: sensitive-ns, labels: {app: secret}}
        spec: {containers: [{name: c, image: x}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: prom, namespace: monitoring-ns, labels: {app: prom}}
        spec: {containers: [{name: c, image: x}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: dns, namespace: kube-system, labels: {app: kube-dns}}
        spec: {containers: [{name: c, image: x, ports: [{containerPort: 53, protocol: UDP, name: dns}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: pub, namespace: bar-ns-1, labels: {app: svc-pub}}
        spec: {containers: [{name: c, image: x, ports: [{containerPort: 8443, name: web-alt}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: app, namespace: foo-ns-1, labels: {app: app}}
        spec: {containers: [{name: c, image: x}]}
        """

    /// A NetworkPolicy denying all ingress and egress in every namespace.
    static let denyAll = ["sensitive-ns", "monitoring-ns", "kube-system", "bar-ns-1", "foo-ns-1"].map {
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: \($0)}\n"
            + "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}"
    }.joined(separator: "\n---\n")

    static func story(_ name: String) throws -> String {
        try String(contentsOfFile: Golden.path("network-policy-api/user-story-\(name).yaml"), encoding: .utf8)
    }

    static func harness(_ docs: String...) -> Harness {
        let h = Harness(docs.joined(separator: "\n---\n"), cluster: cluster)
        #expect(h.set.issues.isEmpty, "\(h.set.issues)")
        return h
    }

    /// Story 1: ingress to sensitive-ns from every namespace is denied, whatever NetworkPolicies allow.
    @Test func story1DeniesAtClusterLevel() throws {
        let allowAll = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all, namespace: sensitive-ns}\nspec: {podSelector: {}, ingress: [{}]}"
        let h = Self.harness(try Self.story("1"), allowAll)
        #expect(h.conn("foo-ns-1/app", "sensitive-ns/secret") == "No Connections")
        #expect(h.conn("monitoring-ns/prom", "sensitive-ns/secret") == "No Connections")
        #expect(h.conn("sensitive-ns/secret", "foo-ns-1/app") == "All Connections")  // egress not restricted
    }

    /// Story 2: monitoring-ns reaches every pod and every pod reaches kube-dns, even under deny-all
    /// NetworkPolicies.
    @Test func story2AllowsAtClusterLevel() throws {
        let h = Self.harness(try Self.story("2"), Self.denyAll)
        #expect(h.conn("monitoring-ns/prom", "foo-ns-1/app") == "No Connections")  // prom's own egress is denied
        let egressOpen = Self.harness(try Self.story("2"), Self.denyAll.replacingOccurrences(
            of: "name: deny, namespace: monitoring-ns}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
            with: "name: deny, namespace: monitoring-ns}\nspec: {podSelector: {}, policyTypes: [Ingress]}"))
        #expect(egressOpen.conn("monitoring-ns/prom", "foo-ns-1/app") == "All Connections")
        #expect(egressOpen.conn("monitoring-ns/prom", "sensitive-ns/secret") == "All Connections")
        // The story allows the egress side to kube-dns; kube-system's own deny-all ingress still applies.
        #expect(h.conn("foo-ns-1/app", "kube-system/dns") == "No Connections")
        let dnsOpen = Self.harness(try Self.story("2"), Self.denyAll.replacingOccurrences(
            of: "name: deny, namespace: kube-system}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
            with: "name: deny, namespace: kube-system}\nspec: {podSelector: {}, policyTypes: [Egress]}"))
        #expect(dnsOpen.conn("foo-ns-1/app", "kube-system/dns") == "All Connections")
        #expect(h.conn("foo-ns-1/app", "bar-ns-1/pub") == "No Connections")
    }

    /// Story 3: egress to svc-pub on TCP 8080, the named port web-alt and UDP 53 is delegated to NetworkPolicies
    /// (none: allowed) past a later admin rule denying the rest.
    @Test func story3DelegatesToNetworkPolicies() throws {
        let denyLater = """
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: deny-bar}
            spec:
              tier: Admin
              priority: 40
              subject: {namespaces: {}}
              egress:
              - {action: Deny, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: bar-ns-1}}}]}
            """
        let h = Self.harness(try Self.story("3"), denyLater)
        #expect(h.conn("foo-ns-1/app", "bar-ns-1/pub") == "TCP 8080,8443,UDP 53")
        let np = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: foo-ns-1}\nspec: {podSelector: {}, policyTypes: [Egress]}"
        #expect(Self.harness(try Self.story("3"), denyLater, np).conn("foo-ns-1/app", "bar-ns-1/pub") == "No Connections")
    }

    /// Story 4 is "currently not implementable" (its selector is not valid YAML for the API): refused with a
    /// message naming the file, not evaluated as something else.
    @Test(arguments: ["4-v1", "4-v2"])
    func story4IsRefused(_ name: String) throws {
        let set = ManifestReader.parse(text: try Self.story(name), file: "user-story-\(name).yaml")
        #expect(set.adminPolicies.isEmpty)
        #expect(!set.issues.isEmpty)
        #expect(set.issues.allSatisfy { $0.file == "user-story-\(name).yaml" })
    }

    /// Story 5: a baseline deny of all ingress, which NetworkPolicies override where they isolate.
    @Test func story5BaselineGuardrail() throws {
        let h = Self.harness(try Self.story("5"))
        #expect(h.conn("foo-ns-1/app", "bar-ns-1/pub") == "No Connections")
        let np = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-foo, namespace: bar-ns-1}\nspec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: foo-ns-1}}}]}]}"
        let allowed = Self.harness(try Self.story("5"), np)
        #expect(allowed.conn("foo-ns-1/app", "bar-ns-1/pub") == "All Connections")
        #expect(allowed.conn("kube-system/dns", "bar-ns-1/pub") == "No Connections")
        #expect(allowed.conn("bar-ns-1/pub", "foo-ns-1/app") == "No Connections")  // foo-ns-1 still baseline-denied
    }
}
