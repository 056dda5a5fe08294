import Testing
import FlowModel

@Suite("Kubernetes label syntax")
struct KubernetesLabelTests {
    @Test("valid keys and values", arguments: [
        ("app", "web"), ("app.kubernetes.io/name", ""), ("a.b/c_d.e", "1.0"), ("yes", "true"),
        (String(repeating: "k", count: 63), String(repeating: "9", count: 63)),
    ])
    func valid(key: String, value: String) {
        #expect(KubernetesLabel.isValidKey(key))
        #expect(KubernetesLabel.isValidValue(value))
    }

    @Test("invalid values", arguments: [".5", "-1", "+1", "a b", "x#", String(repeating: "a", count: 64), "é", "a/b"])
    func invalidValue(value: String) { #expect(!KubernetesLabel.isValidValue(value)) }

    @Test("invalid keys", arguments: ["", "/a", "A.com/x", "a/b/c", "-a", String(repeating: "k", count: 64), "a_/x"])
    func invalidKey(key: String) { #expect(!KubernetesLabel.isValidKey(key)) }
}
