import FlowModel
import Testing
@testable import Policy

/// A selector's `matchLabels` and `matchExpressions` are decoded by one function for both dialects (issue 21);
/// these pin what each reports for the same bad terms, in order: the shared checks, the NetworkPolicy key and
/// value syntax, and Cilium's own key rule (a `source:` prefix, no value syntax, labels in key order).
@Suite("Selector matchExpressions issues")
struct SelectorExpressionIssueTests {
    static let expressions = """
            matchExpressions:
            - x
            - {key: KEY, operator: In}
            - {key: app, operator: Near, values: [1, "a b"]}
            - {key: tier, operator: Exists, values: [web], extra: 1}
        """

    /// `path: message` of the issues under `prefix`.
    static func issues(_ text: String, under prefix: String) -> [String] {
        ManifestReader.parse(text: text, file: "s.yaml").issues.filter { $0.path.hasPrefix(prefix) }
            .map { "\($0.path): \($0.message)" }
    }

    static func networkPolicy(_ selector: String) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector:
        \(selector)
        """
    }

    static func cilium(_ selector: String) -> String {
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: c, namespace: a}
        spec:
          endpointSelector:
        \(selector)
        """
    }

    @Test("NetworkPolicy: each requirement's problems, with the Kubernetes key and value syntax")
    func networkPolicy() {
        let p = "spec.podSelector.matchExpressions"
        let text = Self.networkPolicy(Self.expressions.replacingOccurrences(of: "KEY", with: "\"-bad\""))
        #expect(Self.issues(text, under: p) == [
            "\(p)[0]: expected an object, got string",
            "\(p)[1].key: Invalid value: \"-bad\": \(KubernetesLabel.keyError("-bad")!)",
            "\(p)[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            "\(p)[2].values[0]: expected a string, got integer",
            "\(p)[2].values[1]: Invalid value: \"a b\": \(KubernetesLabel.valueError("a b")!)",
            "\(p)[2].operator: Invalid value: \"Near\": not a valid selector operator",
            "\(p)[3].extra: unknown field \"extra\"",
            "\(p)[3].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ])
        #expect(Self.issues(Self.networkPolicy("      matchExpressions: x"), under: p)
                == ["\(p): expected a list, got string"])
    }

    @Test("Cilium: the same checks, Cilium's key rule, no value syntax")
    func cilium() {
        let p = "spec.endpointSelector.matchExpressions"
        let text = Self.cilium(Self.expressions.replacingOccurrences(of: "KEY", with: "\"k8s:\""))
        #expect(Self.issues(text, under: p) == [
            "\(p)[0]: expected an object, got string",
            "\(p)[1].key: Invalid value: \"k8s:\": key must not be empty",
            "\(p)[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            "\(p)[2].values[0]: expected a string, got integer",
            "\(p)[2].operator: Invalid value: \"Near\": not a valid selector operator",
            "\(p)[3].extra: unknown field \"extra\"",
            "\(p)[3].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ])
        #expect(Self.issues(Self.cilium("      matchExpressions: x"), under: p) == ["\(p): expected a list, got string"])
    }

    @Test("matchLabels: NetworkPolicy in document order with key and value syntax; Cilium in key order")
    func matchLabels() {
        let labels = "    matchLabels: {z: 1, \"k8s:\": \"a b\", ok: v}"
        #expect(Self.issues(Self.networkPolicy(labels), under: "spec.podSelector") == [
            "spec.podSelector.matchLabels.z: expected a string, got integer",
            "spec.podSelector.matchLabels: Invalid value: \"k8s:\": \(KubernetesLabel.keyError("k8s:")!)",
            "spec.podSelector.matchLabels: Invalid value: \"a b\": \(KubernetesLabel.valueError("a b")!)",
        ])
        #expect(Self.issues(Self.cilium(labels), under: "spec.endpointSelector") == [
            "spec.endpointSelector.matchLabels: Invalid value: \"k8s:\": key must not be empty",
            "spec.endpointSelector.matchLabels.z: expected a string, got integer",
        ])
        #expect(Self.issues(Self.networkPolicy("    matchLabels: [a]"), under: "spec.podSelector")
                == ["spec.podSelector.matchLabels: expected an object, got list"])
        #expect(Self.issues(Self.cilium("    matchLabels: [a]"), under: "spec.endpointSelector")
                == ["spec.endpointSelector.matchLabels: expected an object, got list"])
    }
}
