import FlowModel
@testable import Policy

/// A small cluster plus a policy set, for one-rule tests. Pods are bare Pods named `ns/name`; anything without a
/// `/` is an IP address, `node` is the pod's own node.
struct Harness {
    static let cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: prod, labels: {env: prod, team: shop}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: dev, labels: {env: dev}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: prod, labels: {app: web, tier: frontend}}
        spec:
          nodeName: n1
          containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]
        status: {podIP: 10.0.1.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: prod, labels: {app: db}}
        spec:
          nodeName: n1
          containers: [{name: c, image: x, ports: [{containerPort: 5432, name: pg}, {containerPort: 53, name: dns, protocol: UDP}, {containerPort: 9000, name: http}]}]
        status: {podIP: 10.0.1.2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: dev, labels: {app: client}}
        spec:
          nodeName: n2
          containers: [{name: c, image: x}]
        status: {podIP: 10.0.2.1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: dev, labels: {app: web}}
        spec:
          nodeName: n2
          containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]
        status: {podIP: 10.0.2.2}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: bare, namespace: dev}
        spec:
          nodeName: n2
          containers: [{name: c, image: x}]
        status: {podIP: 10.0.2.3}
        """

    let set: ManifestSet
    let ev: PolicyEvaluator

    init(_ policies: String, cluster: String = Harness.cluster, options: EvaluatorOptions = .default) {
        set = ManifestReader.parse(text: cluster + "\n---\n" + policies, file: "test.yaml")
        ev = PolicyEvaluator(policies: set.policies, adminPolicies: set.adminPolicies, namespaces: Array(set.namespaces.values),
                             workloads: WorkloadBuilder.workloads(from: set), options: options)
    }

    func peer(_ s: String) -> EvalPeer {
        if s == "node" { return .ownNode }
        if s == "world" { return .unknownAddress }
        if s.contains("/") {
            let parts = s.split(separator: "/")
            let i = ev.workloads.firstIndex { $0.namespace == parts[0] && $0.endpoint.name == parts[1] }
            precondition(i != nil, "no workload \(s)")
            return .workload(i!)
        }
        return .address(IPAddr(s)!)
    }

    /// Connections from `a` to `b` in connlist text (`All Connections`, `TCP 80`, `No Connections`).
    func conn(_ a: String, _ b: String) -> String { ev.connections(from: peer(a), to: peer(b)).description }

    func allows(_ a: String, _ b: String, _ proto: Proto = .tcp, _ port: Int) -> Bool {
        ev.connections(from: peer(a), to: peer(b)).contains(proto, port)
    }
}

/// Policy text helper: `np("prod", spec)` with the spec in flow or block YAML (indented by two spaces).
func np(_ ns: String, _ spec: String) -> String { np(ns, "p", spec) }

func np(_ ns: String, _ name: String, _ spec: String) -> String {
    """
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: \(name), namespace: \(ns)}
    spec:
    \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
    """
}

/// The issues of one policy text (validation tests).
func issues(_ text: String) -> [ManifestIssue] { ManifestReader.parse(text: text, file: "bad.yaml").issues }
