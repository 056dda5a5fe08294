import FlowModel
@testable import Policy

/// `Harness.cluster` plus Cilium policies. Peers: `ns/name` pods, an entity name (`host`, `world`,
/// `remote-node`, ...), or an external IP address.
struct CiliumHarness {
    let set: ManifestSet
    let ev: CiliumEvaluator

    init(_ policies: String, options: CiliumOptions = .default, dnsNames: [String: [String]] = [:],
         services: [CiliumService] = []) {
        set = ManifestReader.parse(text: Harness.cluster + "\n---\n" + policies, file: "test.yaml")
        precondition(set.issues.isEmpty, "policy issues: \(set.issues)")
        var names: [IPAddr: [String]] = [:]
        for (k, v) in dnsNames { names[IPAddr(k)!] = v }
        ev = CiliumEvaluator(policies: set.ciliumPolicies, networkPolicies: set.policies,
                             namespaces: Array(set.namespaces.values), workloads: WorkloadBuilder.workloads(from: set),
                             options: options, dnsNames: names, services: services)
    }

    func peer(_ s: String) -> CiliumPeer { ciliumPeer(s, ev.workloads) }

    func conn(_ a: String, _ b: String) -> String { ev.connections(from: peer(a), to: peer(b)).description }

    func allows(_ a: String, _ b: String, _ proto: Proto = .tcp, _ port: Int) -> Bool {
        ev.connections(from: peer(a), to: peer(b)).contains(proto, port)
    }

    func request(_ a: String, _ b: String, _ port: Int, _ r: L7Request, _ proto: Proto = .tcp) -> Bool {
        ev.allows(from: peer(a), to: peer(b), proto: proto, port: port, request: r)
    }
}

/// A CiliumNetworkPolicy in `ns` with the spec indented under `spec:`.
func cnp(_ ns: String, _ spec: String, name: String = "p") -> String {
    """
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: {name: \(name), namespace: \(ns)}
    spec:
    \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
    """
}

func ccnp(_ spec: String, name: String = "c") -> String {
    """
    apiVersion: cilium.io/v2
    kind: CiliumClusterwideNetworkPolicy
    metadata: {name: \(name)}
    spec:
    \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
    """
}

/// `ns/name` (a workload), an entity name, or an IP address.
func ciliumPeer(_ s: String, _ workloads: [Workload]) -> CiliumPeer {
    if let e = CiliumEntity(rawValue: s) { return .entity(e) }
    if let ip = IPAddr(s) { return .address(ip) }
    let parts = s.split(separator: "/")
    let i = workloads.firstIndex { $0.namespace == parts[0] && $0.endpoint.name == parts[1] }
    precondition(i != nil, "no workload \(s)")
    return .workload(i!)
}
