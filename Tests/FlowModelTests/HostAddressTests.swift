import Testing
@testable import FlowModel

/// Issue 12: the one host-address parser every reader uses, and the Kubernetes name validator.
@Suite("Host addresses and Kubernetes names")
struct HostAddressTests {
    @Test("canonical spellings", arguments: [
        ("1.2.3.4", "1.2.3.4"), ("2001:DB8::1", "2001:db8::1"), ("2001:0db8:0:0:0:0:0:0001", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"), ("::ffff:1.2.3.4", "1.2.3.4"), ("::FFFF:0102:0304", "1.2.3.4"),
        ("::1", "::1"), ("255.255.255.255", "255.255.255.255"), ("::1.2.3.4", "::102:304"),
    ])
    func canonical(_ text: String, _ expected: String) {
        #expect(IPAddr.canonicalHost(text) == .success(expected))
    }

    @Test("not one host address", arguments: [
        "0.0.0.0/0", "10.0.0.1/32", "hello world", "", "01.2.3.4", "1.2.3.004", "0.0.0.0", "::", "1.2.3", "1.2.3.4.5",
        "256.1.1.1", "1::2::3", "fe80::1%", "1.2.3.4%eth0", "fe80::1%et h0", " 1.2.3.4", "1.2.3.4\u{0}",
        String(repeating: "1", count: 200),
    ])
    func rejected(_ text: String) {
        guard case .failure(let e) = IPAddr.host(text) else {
            Issue.record("\(IPAddr.quoted(text)) accepted")
            return
        }
        #expect(!e.description.isEmpty && !e.description.contains("\u{0}"))
    }

    @Test("names: a NUL, a control character or any invalid text is a problem naming the part")
    func names() {
        #expect(KubernetesName.problem(namespace: "kube-system\u{0}-sandbox")?.part == .namespace)
        #expect(KubernetesName.problem(namespace: "kube-system\u{0}-sandbox")?.message.contains("\\u0000") == true)
        #expect(KubernetesName.problem(namespace: "Shop")?.part == .namespace)
        #expect(KubernetesName.problem(namespace: "shop", pod: "web\n")?.part == .pod)
        #expect(KubernetesName.problem(namespace: "shop", workload: "")?.part == .workload)
        #expect(KubernetesName.problem(namespace: "shop", kind: "Deploy ment")?.part == .kind)
        #expect(KubernetesName.problem(namespace: "shop", labels: ["app": "a\u{7}"])?.part == .labelValue("app"))
        #expect(KubernetesName.problem(namespace: "shop", labels: ["a\u{0}": "x"])?.part == .labelKey("a\u{0}"))
        #expect(KubernetesName.problem(namespace: "shop", pod: "web-7d4b9c8f6d-x7k2p", workload: "My_App.v2",
                                       kind: "StatefulSet", labels: ["app.kubernetes.io/name": "web"]) == nil)
    }

    @Test("RFC 3339 with 10 or more fraction digits: below a nanosecond is dropped, never a trap")
    func longFractions() {
        #expect(Timestamp.parseRFC3339("2021-06-16T16:52:13.1368344461Z") == 1_623_862_333_136_834_446)
        #expect(Timestamp.parseRFC3339("2021-06-16T16:52:13." + String(repeating: "9", count: 40) + "Z")
                == 1_623_862_333_999_999_999)
    }

    @Test("counts saturate at Int64.max")
    func saturating() {
        #expect(Counts.saturatingAdd(.max, 1) == .max)
        #expect(Counts.saturatingAdd(.max - 1, 1) == .max)
        #expect(Counts.saturatingAdd(2, 3) == 5)
        var s = EdgeStats(flows: .max)
        s.merge(EdgeStats(flows: .max))
        #expect(s.flows == .max)
    }
}
