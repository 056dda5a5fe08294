import FlowModel
import Testing
@testable import Policy

/// `metadata.name` and `metadata.namespace` are checked by one function for every policy kind (issue 21); these
/// pin what each kind reports, in order.
@Suite("Policy object name issues")
struct ObjectNameIssueTests {
    static func issues(_ apiVersion: String, _ kind: String, _ metadata: String) -> [String] {
        let text = "apiVersion: \(apiVersion)\nkind: \(kind)\nmetadata: \(metadata)\nspec: {}\n"
        return ManifestReader.parse(text: text, file: "n.yaml").issues.filter { $0.path.hasPrefix("metadata") }
            .map { "\($0.path): \($0.message)" }
    }

    static let badNamespace = "metadata.namespace: Invalid value: \"Bad_NS\": \(KubernetesLabel.dnsLabelError("Bad_NS")!)"
    static let badName = "metadata.name: Invalid value: \"Bad_Name\": \(KubernetesLabel.dnsSubdomainError("Bad_Name")!)"

    @Test("NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, AdminNetworkPolicy")
    func kinds() {
        let np = ("networking.k8s.io/v1", "NetworkPolicy")
        #expect(Self.issues(np.0, np.1, "{namespace: Bad_NS}")
                == ["metadata.name: Required value: name or generateName is required", Self.badNamespace])
        #expect(Self.issues(np.0, np.1, "{name: Bad_Name, namespace: a}") == [Self.badName])
        let cnp = ("cilium.io/v2", "CiliumNetworkPolicy")
        #expect(Self.issues(cnp.0, cnp.1, "{namespace: Bad_NS}")
                == ["metadata.name: Required value: name is required", Self.badNamespace])
        #expect(Self.issues(cnp.0, cnp.1, "{name: Bad_Name, namespace: a}") == [Self.badName])
        #expect(Self.issues(cnp.0, "CiliumClusterwideNetworkPolicy", "{name: Bad_Name, namespace: Bad_NS}")
                == [Self.badName])
        let anp = ("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy")
        #expect(Self.issues(anp.0, anp.1, "{}") == ["metadata.name: Required value: name or generateName is required"])
        #expect(Self.issues(anp.0, anp.1, "{name: Bad_Name}") == [Self.badName])
        #expect(Self.issues(anp.0, "BaselineAdminNetworkPolicy", "{name: x}") == [
            "metadata.name: Invalid value: \"x\": Only one baseline admin network policy with metadata.name=\"default\" "
                + "can be created in the cluster",
        ])
    }
}
