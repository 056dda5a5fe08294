import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Foundation
import Policy
import Testing

/// `Diff.run` evaluates each side over its own workloads (netpol-analyzer's diff semantics; issue 13).
@Suite struct DiffWorkloadsTests {
    static func pod(_ name: String, _ labels: String) -> String {
        "apiVersion: v1\nkind: Pod\nmetadata: {name: \(name), namespace: shop, labels: {\(labels)}}\nspec: {containers: [{name: c, image: i}]}\n---\n"
    }

    /// Ingress to `app: web` only from `role: client` on TCP 80.
    static let webPolicy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress]
          ingress: [{from: [{podSelector: {matchLabels: {role: client}}}], ports: [{protocol: TCP, port: 80}]}]
        ---

        """

    static func sides(old: String, new: String) throws -> Diff.Result {
        let dir = TestSupport.tempDir()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("old"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("new"), withIntermediateDirectories: true)
        TestSupport.write(old, to: dir.appendingPathComponent("old/all.yaml"))
        TestSupport.write(new, to: dir.appendingPathComponent("new/all.yaml"))
        return try Diff.run(Diff.Options(old: .manifests([dir.appendingPathComponent("old").path]),
                                         new: .manifests([dir.appendingPathComponent("new").path])))
    }

    @Test func workloadOnlyInNewIsAddedNeverRemoved() throws {
        // NEW adds `cache` behind a default-deny: main evaluated OLD over NEW's workloads too and reported every
        // connection to `cache` as removed.
        let deny = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: cache-deny, namespace: shop}
            spec: {podSelector: {matchLabels: {app: cache}}, policyTypes: [Ingress]}
            ---

            """
        let base = Self.webPolicy + Self.pod("web", "app: web") + Self.pod("client", "role: client")
        let r = try Self.sides(old: base, new: base + deny + Self.pod("cache", "app: cache"))
        #expect(r.report.addedWorkloads == ["shop/cache[Pod]"])
        #expect(r.report.removedWorkloads.isEmpty)
        #expect(!r.report.changes.contains { $0.kind == .removed })
        #expect(!r.report.isEmpty)  // a workload was added
        let out = r.report.changes.filter { $0.source == "shop/cache[Pod]" }
        #expect(!out.isEmpty && out.allSatisfy { $0.kind == .added && $0.workloadsInfo == "workload shop/cache[Pod] added" })
        #expect(!r.report.changes.contains { $0.destination == "shop/cache[Pod]" })  // denied in NEW: no pair
        let text = DiffFormatter.format(r.report, as: .text)
        #expect(text.contains("workloads added (only in ref2): shop/cache[Pod]\n"))
        #expect(text.contains("diff-type: added, source: shop/cache[Pod], destination: 0.0.0.0-255.255.255.255[External], ref1: No Connections, ref2: All Connections, workloads-diff-info: workload shop/cache[Pod] added\n"))
    }

    @Test func workloadOnlyInOldIsRemovedWithInfo() throws {
        let base = Self.webPolicy + Self.pod("web", "app: web")
        let r = try Self.sides(old: base + Self.pod("client", "role: client"), new: base)
        #expect(r.report.removedWorkloads == ["shop/client[Pod]"])
        let c = try #require(r.report.changes.first { $0.source == "shop/client[Pod]" && $0.destination == "shop/web[Pod]" })
        #expect(c.kind == .removed && c.old.description == "TCP 80" && c.workloadsInfo == "workload shop/client[Pod] removed")
    }

    @Test func eachSideUsesItsOwnLabels() throws {
        // NEW relabels the client: main merged both sides' pods into one workload with two label variants and
        // found no difference.
        let r = try Self.sides(old: Self.webPolicy + Self.pod("web", "app: web") + Self.pod("client", "role: client"),
                               new: Self.webPolicy + Self.pod("web", "app: web") + Self.pod("client", "role: other"))
        let c = try #require(r.report.changes.first { $0.source == "shop/client[Pod]" && $0.destination == "shop/web[Pod]" })
        #expect(c.kind == .removed && c.workloadsInfo.isEmpty)
        #expect(r.report.addedWorkloads.isEmpty && r.report.removedWorkloads.isEmpty)
    }

    @Test func policiesOnlyOnBothSidesCannotBeEvaluated() throws {
        // The README's pull-request example without --db: main printed "No connectivity differences … over 0
        // workloads" (exit 0) although the sets differ completely.
        let other = Self.webPolicy.replacingOccurrences(of: "port: 80", with: "port: 443")
        #expect {
            _ = try Self.sides(old: Self.webPolicy, new: other)
        } throws: { e in
            let s = "\(e)"
            return s.contains("no workloads") && s.contains("kubectl get pods") && s.contains("--db")
        }
    }

    @Test func typedListItemsWithoutKindAreRead() throws {
        // `kubectl get` / the API server write PodList items without `kind`: main read them as nothing.
        let list = """
            apiVersion: v1
            kind: PodList
            items:
            - metadata: {name: web, namespace: shop, labels: {app: web}}
              spec: {containers: [{name: c, image: i}]}
            - metadata: {name: client, namespace: shop, labels: {role: client}}
              spec: {containers: [{name: c, image: i}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicyList
            items:
            - metadata: {name: web, namespace: shop}
              spec:
                podSelector: {matchLabels: {app: web}}
                policyTypes: [Ingress]

            """
        let set = ManifestReader.parse(text: list, file: "list.yaml")
        #expect(set.issues.isEmpty)
        #expect(set.pods.map(\.name) == ["web", "client"])
        #expect(set.policies.map(\.name) == ["web"])
    }
}
