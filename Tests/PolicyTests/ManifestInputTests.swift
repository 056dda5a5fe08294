import Testing
@testable import Policy

/// Issue 13: inputs that used to be read as nothing, or dropped silently.
@Suite struct ManifestInputTests {
    @Test func typedListsWithoutItemKindAreReadByTheListKind() {
        let text = """
            apiVersion: v1
            kind: PodList
            items:
            - metadata: {name: web-1, namespace: shop, labels: {app: web}}
              status: {podIP: 10.0.0.1}
            ---
            apiVersion: v1
            kind: NamespaceList
            items:
            - metadata: {name: shop, labels: {team: a}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicyList
            items:
            - metadata: {name: deny, namespace: shop}
              spec: {podSelector: {}}
            ---
            apiVersion: apps/v1
            kind: DeploymentList
            items:
            - metadata: {name: api, namespace: shop}
              spec: {template: {metadata: {labels: {app: api}}}}
            """
        let set = ManifestReader.parse(text: text, file: "lists.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        #expect(set.pods.map(\.name) == ["web-1"])
        #expect(set.namespaces["shop"]?.labels["team"] == "a")
        #expect(set.policies.map(\.qualifiedName) == ["shop/deny"])
        #expect(set.controllers.map(\.name) == ["api"])
        #expect(set.skipped.isEmpty, "\(set.skipped)")
    }

    @Test func aStrayControlCharacterFailsOnlyItsDocument() {
        let text = [np("a", "one", "podSelector: {}"), np("a", "two", "podSelector: {}") + "\n# bad \u{07} byte",
                    np("a", "three", "podSelector: {}")].joined(separator: "\n---\n")
        let set = ManifestReader.parse(text: text, file: "c.yaml")
        #expect(set.policies.map(\.name) == ["one", "three"])
        #expect(set.issues.count == 1)
        #expect(set.issues.first?.document == 1, "\(set.issues)")
        #expect(set.issues.first?.description.hasPrefix("c.yaml:") == true, "\(set.issues)")
        #expect(set.documents == 3)
    }

    @Test func invalidPoliciesAreIssuesWithTheAPIServersWords() {
        func one(_ text: String) -> String {
            let i = ManifestReader.parse(text: text, file: "p.yaml").issues
            return i.count == 1 ? i[0].description : "\(i.count) issues: \(i)"
        }
        #expect(one(np("shop", "podSelectr: {}")) == "p.yaml:5: document 0: NetworkPolicy shop/p: spec.podSelectr: unknown field \"podSelectr\"")
        #expect(one(np("shop", "podSelector: {}\ningress: [{ports: [{protocol: tcp, port: 80}]}]"))
                .hasSuffix("spec.ingress[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""))
        #expect(one(np("shop", "podSelector: {}\npolicyTypes: [Ingres]"))
                .hasSuffix("spec.policyTypes[0]: Unsupported value: \"Ingres\": supported values: \"Ingress\", \"Egress\""))
        #expect(one("apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}")
                .contains("apiVersion: unsupported apiVersion \"networking.k8s.io/v1beta1\""))
        #expect(one("apiVersion: networking.k8s.io/v1\nkind: NetworkPolcy\nmetadata: {name: p}\nspec: {podSelector: {}}")
                == "p.yaml:2: document 0: kind: no matches for kind \"NetworkPolcy\" in version \"networking.k8s.io/v1\" (did you mean NetworkPolicy?)")
        #expect(one("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, lables: {a: b}}\nspec: {podSelector: {}}")
                .hasSuffix("metadata.lables: unknown field \"lables\""))
        #expect(one("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspce: {podSelector: {}}")
                .contains("unknown field \"spce\""))
    }

    @Test func unsupportedKindsAreNamedAndHarmlessKindsCounted() {
        let text = """
            apiVersion: cilium.io/v2
            kind: CiliumLocalRedirectPolicy
            metadata: {name: c, namespace: a}
            ---
            apiVersion: crd.antrea.io/v1beta1
            kind: ClusterNetworkPolicy
            metadata: {name: acnp}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: cal, namespace: a}
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: i, namespace: a}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: x}
            """
        let set = ManifestReader.parse(text: text, file: "k.yaml")
        #expect(set.issues.isEmpty, "\(set.issues)")
        #expect(set.unsupported.keys.map(\.qualifiedName).sorted()
                == ["CiliumLocalRedirectPolicy.cilium.io", "ClusterNetworkPolicy.crd.antrea.io",
                    "Ingress.networking.k8s.io", "NetworkPolicy.projectcalico.org"])
        #expect(set.skipped == ["ConfigMap": 1])
        let calico = set.unsupported.keys.first { $0.group == "projectcalico.org" }!
        #expect(calico.matches("NetworkPolicy.projectcalico.org") && !calico.matches("NetworkPolicy"))
        #expect(set.unsupported.keys.first { $0.kind == "Ingress" }!.matches("Ingress"))
    }

    @Test func duplicateNamesAreAnIssueNamingBothPlaces() throws {
        let text = [np("a", "same", "podSelector: {}"), np("a", "other", "podSelector: {}"),
                    np("a", "same", "podSelector: {matchLabels: {x: y}}")].joined(separator: "\n---\n")
        let set = ManifestReader.parse(text: text, file: "d.yaml")
        #expect(set.policies.map(\.name) == ["other", "same"])
        #expect(set.policies.last?.podSelector.matchLabels == ["x": "y"])
        #expect(set.issues.count == 1)
        let d = try #require(set.issues.first).description
        #expect(d.hasPrefix("d.yaml:1: document 0: NetworkPolicy a/same: metadata.name: Duplicate value"), "\(d)")
        #expect(d.contains("also defined at d.yaml:13 (document 2)"), "\(d)")
    }
}
