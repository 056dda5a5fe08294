import FlowModel
import Testing
@testable import Policy

/// Exposure analysis edge cases (docs/exposure.md) on the Harness cluster: prod/web (TCP 8080 `http`), prod/db,
/// dev/client, dev/web, dev/bare. netpol-analyzer's goldens cover the rest (NetpolAnalyzerExposureTests).
@Suite struct ExposureTests {
    /// The report's lines for one workload (`=>` egress, `<=` ingress, `unprotected Egress`).
    func lines(_ h: Harness, _ workload: String, external: Bool = true) -> [String] {
        let r = ConnectivityMap(h.ev).exposure(includeExternal: external)
        let name = workload + "[Pod]"
        return r.entries.filter { $0.workload.description == name }.map { "\($0.egress ? "=>" : "<=") \($0.peer) : \($0.connections)" }
            + r.unprotected.filter { $0.workload.description == name }.map { "unprotected \($0.egress ? "Egress" : "Ingress")" }
    }

    @Test func podWithoutPolicyIsFullyExposed() {
        let h = Harness("")
        #expect(lines(h, "prod/web") == [
            "=> 0.0.0.0-255.255.255.255 : All Connections", "=> entire-cluster : All Connections",
            "<= 0.0.0.0-255.255.255.255 : All Connections", "<= entire-cluster : All Connections",
            "unprotected Egress", "unprotected Ingress",
        ])
    }

    @Test func protectedPodWithOnlyKnownPeersIsNotListed() {
        // Ingress from prod/db by labels only: db exists, so nothing is admitted that is not already a pair.
        let h = Harness(np("prod", """
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Ingress, Egress]
            ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]
            """))
        #expect(lines(h, "prod/web").isEmpty)
        // The same selector as a match expression is kept (netpol-analyzer does not refine expressions).
        let e = Harness(np("prod", """
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Ingress, Egress]
            ingress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}}]}]
            """))
        #expect(lines(e, "prod/web", external: false) == ["<= prod/[pod with {app in (db)}] : All Connections"])
    }

    @Test func emptySelectorsNameEntireClusterNamespaceOrAnyNamespace() {
        let h = Harness(np("prod", """
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Ingress, Egress]
            ingress:
            - from: [{namespaceSelector: {}, podSelector: {}}]
              ports: [{port: 80}]
            - from: [{podSelector: {}}]
              ports: [{port: 81}]
            - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: new}}}]
              ports: [{port: 82}]
            - from: [{namespaceSelector: {matchLabels: {env: staging}}}]
              ports: [{port: 83}]
            """))
        #expect(lines(h, "prod/web") == [
            "<= entire-cluster : TCP 80",
            "<= [all namespaces]/[pod with {app=new}] : TCP 80,82",
            "<= [namespace with {env=staging}]/[all pods] : TCP 80,83",
            "<= prod/[all pods] : TCP 80-81",
        ])
    }

    @Test func namedPortsResolveOnIngressAndStayNamesOnEgress() {
        let h = Harness(np("prod", """
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Ingress, Egress]
            ingress: [{from: [{namespaceSelector: {}}], ports: [{port: http}, {port: missing}]}]
            egress: [{to: [{namespaceSelector: {matchLabels: {team: new}}}], ports: [{port: http}, {port: 53, protocol: UDP}]}]
            """))
        // Ingress: `http` is web's 8080; `missing` names no port of web and admits nothing.
        #expect(lines(h, "prod/web") == [
            "=> [namespace with {team=new}]/[all pods] : UDP 53,TCP http",
            "<= entire-cluster : TCP 8080",
        ])
    }

    @Test func ipBlockExceptIsExternalOnlyAndAddsNoClusterPeer() {
        let h = Harness(np("prod", """
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}, {namespaceSelector: {}}], ports: [{port: 443}]}]
            """))
        #expect(lines(h, "prod/web") == [
            "=> 10.0.0.0-10.0.255.255 : TCP 443", "=> 10.2.0.0-10.255.255.255 : TCP 443",
            "=> entire-cluster : TCP 443",
            "<= 0.0.0.0-255.255.255.255 : All Connections", "<= entire-cluster : All Connections",
            "unprotected Ingress",
        ])
    }

    @Test func directionsAreIndependent() {
        // Egress-only policy: ingress stays unprotected; egress to a new namespace is the only egress exposure.
        let h = Harness(np("dev", """
            podSelector: {matchLabels: {app: client}}
            policyTypes: [Egress]
            egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: payments}}}]}]
            """))
        #expect(lines(h, "dev/client", external: false) == [
            "=> payments/[all pods] : All Connections",
            "<= entire-cluster : All Connections", "unprotected Ingress",
        ])
        let r = ConnectivityMap(h.ev).exposure()
        #expect(!r.entries.contains { $0.workload.description == "dev/client[Pod]" && $0.egress && $0.peer == .entireCluster })
    }

    @Test func variantsAdmitTheUnionOfWhatEachAdmitsFromAPeer() {
        // Two pods of one Deployment with different labels: from the team=x representative, variant a admits
        // 80 and its entire-cluster 81, variant b only its entire-cluster 82. The workload admits 80-82 from it
        // (each variant's answer for the peer, ORed), not just the variant that names it.
        let pod = { (name: String, tier: String) in """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-7d9f8c6b5-\(name)
              namespace: prod
              labels: {app: web, tier: \(tier), pod-template-hash: 7d9f8c6b5}
              ownerReferences: [{kind: ReplicaSet, name: web-7d9f8c6b5, controller: true}]
            spec: {containers: [{name: c, image: x}]}
            """ }
        let h = Harness(np("prod", "a", """
            podSelector: {matchLabels: {tier: a}}
            policyTypes: [Ingress]
            ingress:
            - {from: [{namespaceSelector: {matchLabels: {team: x}}}], ports: [{port: 80}]}
            - {from: [{namespaceSelector: {}}], ports: [{port: 81}]}
            """) + "\n---\n" + np("prod", "b", """
            podSelector: {matchLabels: {tier: b}}
            policyTypes: [Ingress]
            ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 82}]}]
            """), cluster: pod("aaaaa", "a") + "\n---\n" + pod("bbbbb", "b"))
        let r = ConnectivityMap(h.ev).exposure(includeExternal: false)
        #expect(r.entries.filter { !$0.egress }.map { "\($0.workload) <= \($0.peer) : \($0.connections)" } == [
            "prod/web[Deployment] <= entire-cluster : TCP 81-82",
            "prod/web[Deployment] <= [namespace with {team=x}]/[all pods] : TCP 80-82",
        ])
    }

    @Test func representativeNeedsTheRuleSelectorsExactly() {
        // A rule with `app=a,tier=x` does not admit a peer inferred from `app=a` alone (netpol-analyzer's
        // requirement equality), and an `In` with one value equals the label.
        let a = RepresentativePeer(namespaces: LabelSelector(matchLabels: [ClusterNamespace.nameLabel: "prod"]),
                                   pods: LabelSelector(matchLabels: ["app": "a"]), namespace: "prod")
        let both = NetworkPolicyPeer.pods(podSelector: LabelSelector(matchLabels: ["app": "a", "tier": "x"]), namespaceSelector: nil)
        let single = NetworkPolicyPeer.pods(podSelector: LabelSelector(matchExpressions: [.init(key: "app", op: .in, values: ["a"])]),
                                            namespaceSelector: nil)
        #expect(!PolicyEvaluator.ruleMatches(both, policyNamespace: "prod", a))
        #expect(PolicyEvaluator.ruleMatches(single, policyNamespace: "prod", a))
        #expect(!PolicyEvaluator.ruleMatches(single, policyNamespace: "dev", a))  // no namespaceSelector: own namespace
    }
}
