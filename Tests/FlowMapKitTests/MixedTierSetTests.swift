import Foundation
import Testing
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

@Suite("Sets mixing admin-tier and Cilium policies")
struct MixedTierSetTests {
    static let cilium = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          endpointSelector: {matchLabels: {app: web}}
          ingress:
          - fromEndpoints: [{matchLabels: {app: client}}]

        """

    // Cilium's evaluator answers for the whole set and does not model the admin tiers: such a set must be
    // refused (exit 2 in every policy verb), never evaluated with one of the two left out.
    @Test("a set with an AdminNetworkPolicy and a CiliumNetworkPolicy is refused, naming both counts")
    func mixedSetIsRefused() throws {
        let dir = TestSupport.tempDir()
        TestSupport.write("""
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: AdminNetworkPolicy
            metadata: {name: deny-all}
            spec:
              priority: 10
              subject: {namespaces: {}}
              ingress:
              - {name: deny, action: Deny, from: [{namespaces: {}}]}
            ---

            """ + Self.cilium, to: dir.appendingPathComponent("mixed.yaml"))
        let error = #expect(throws: (any Error).self) { try PolicyInputs.load([dir.path], requirePolicies: true) }
        let text = String(describing: error.map { "\($0)" } ?? "")
        #expect(text.contains("1 admin-tier and 1 Cilium"), "\(text)")
        // Each kind alone is evaluated.
        let onlyCilium = TestSupport.tempDir()
        TestSupport.write(Self.cilium, to: onlyCilium.appendingPathComponent("c.yaml"))
        #expect(throws: Never.self) { try PolicyInputs.load([onlyCilium.path], requirePolicies: true) }
    }
}
