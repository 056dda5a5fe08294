import Testing
import FlowModel

/// Issue 21: the reserved entities are one enum (`ReservedEntity`), not bare strings across the readers,
/// inference and the evaluator.
@Suite("Reserved entities")
struct ReservedEntityTests {
    @Test("the names Cilium uses (pkg/identity), and Calico's private-network")
    func names() {
        #expect(ReservedEntity.allCases.map(\.rawValue).sorted() == [
            "health", "host", "ingress", "init", "kube-apiserver", "private-network", "remote-node", "unknown",
            "unmanaged", "world", "world-ipv4", "world-ipv6",
        ])
        #expect(Endpoint.reserved(.kubeAPIServer) == Endpoint.reserved("kube-apiserver"))
        #expect(Endpoint.reserved("kube-apiserver").reservedEntity == .kubeAPIServer)
        #expect(Endpoint.reserved("networkset:ns/x").reservedEntity == nil)  // a name outside the list stays a name
        #expect(Endpoint.workload("ns", "host", kind: "Deployment").reservedEntity == nil)
        #expect(!Endpoint.workload("ns", "host", kind: "Deployment").isReserved(.host))
    }

    @Test("numeric identities: 1 host, 2/9/10 world, 3 unmanaged, 4 health, 5 init, 6 remote-node, 7 kube-apiserver, 8 ingress")
    func identities() {
        let expected: [Int64: ReservedEntity] = [1: .host, 2: .world, 3: .unmanaged, 4: .health, 5: .initializing,
                                                 6: .remoteNode, 7: .kubeAPIServer, 8: .ingress, 9: .world, 10: .world]
        for n in Int64(0)...12 { #expect(ReservedEntity(identity: n) == expected[n], "\(n)") }
        #expect(ReservedEntity.addressed == [.host, .remoteNode, .kubeAPIServer])
        #expect(ReservedEntity.specificity.first == .kubeAPIServer && ReservedEntity.specificity.last == .unknown)
    }
}
