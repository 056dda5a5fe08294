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

/// The one validator's rules where its former copies disagreed, pinned to apimachinery: a key's prefix is a
/// DNS-1123 subdomain capped at 253 in all (`IsDNS1123Subdomain` does not cap its dot-separated parts at 63; the
/// ingest copy did), its name part at 63.
@Suite("Kubernetes label syntax: the documented rule where copies disagreed")
struct KubernetesLabelRuleTests {
    @Test("a prefix part longer than 63 is valid while the prefix stays within 253")
    func longPrefixPart() {
        let part = String(repeating: "p", count: 64)
        #expect(KubernetesLabel.isValidKey("\(part).example.com/app"))
        #expect(KubernetesLabel.keyError("\(part).example.com/app") == nil)
        #expect(KubernetesLabel.dnsSubdomainError(part) == nil)
        // 254 in all is over the subdomain cap.
        let long = String(repeating: "a", count: 250) + ".com"
        #expect(!KubernetesLabel.isValidKey("\(long)/app"))
        #expect(KubernetesLabel.keyError("\(long)/app") == "prefix part must be a lowercase RFC 1123 subdomain")
    }

    @Test("a namespace (DNS-1123 label) is still capped at 63")
    func namespaceCap() {
        #expect(KubernetesLabel.dnsLabelError(String(repeating: "n", count: 63)) == nil)
        #expect(KubernetesLabel.dnsLabelError(String(repeating: "n", count: 64)) != nil)
        #expect(!KubernetesName.isValidNamespace(String(repeating: "n", count: 64)))
    }

    @Test("messages are the API server's")
    func messages() {
        #expect(KubernetesLabel.keyError("a/b/c")?.hasPrefix("a qualified name must consist") == true)
        #expect(KubernetesLabel.keyError("-a")?.hasPrefix("name part must consist") == true)
        #expect(KubernetesLabel.valueError("a b")?.hasPrefix("a valid label must be an empty string") == true)
        #expect(KubernetesLabel.valueError("") == nil)
        #expect(KubernetesLabel.dnsSubdomainError("Web") != nil)
    }

    @Test("port names (IANA_SVC_NAME)", arguments: [
        ("http", nil), ("h2c-8080", nil), ("", "must be no more than 15 characters"),
        ("a-very-long-port-name", "must be no more than 15 characters"),
        ("HTTP", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
        ("8080", "must contain at least one letter (a-z)"), ("a--b", "must not contain consecutive hyphens"),
        ("-web", "must not begin or end with a hyphen"),
    ] as [(String, String?)])
    func portNames(name: String, message: String?) {
        #expect(KubernetesLabel.portNameError(name) == message)
    }
}
