@testable import Emit
import FlowModel
import Inference
@testable import Policy

/// A generated cluster written as Kubernetes manifests (Namespaces and bare Pods: one pod = one evaluator
/// workload, so every replica is checked on its own) followed by the policies FlowMap emitted for it.
struct ManifestCluster {
    let cluster: GeneratedCluster
    let policyYAML: String
    let text: String

    static func podName(_ p: Pod) -> String { "\(p.name)-\(p.id)" }

    init(_ c: GeneratedCluster, plan: PolicyPlan) {
        cluster = c
        var emit = EmitOptions()
        emit.version = "test"
        policyYAML = NetworkPolicyEmitter(options: emit).stream(for: plan)
        var docs: [String] = []
        for ns in c.namespaces {
            docs.append("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: \(ns)
                  labels:
                    kubernetes.io/metadata.name: \(ns)

                """)
        }
        for p in c.pods {
            var y = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: \(Self.podName(p))
                  namespace: \(p.namespace)
                  labels:

                """
            for k in p.labels.keys.sorted() { y += "    \(k): \"\(p.labels[k]!)\"\n" }
            y += "spec:\n  containers:\n  - name: c\n    image: x\n"
            if !p.containerPorts.isEmpty {
                y += "    ports:\n"
                for cp in p.containerPorts {
                    y += "    - {containerPort: \(cp.port), name: \(cp.name), protocol: \(cp.proto.rawValue)}\n"
                }
            }
            y += "status:\n  podIP: \(p.ip)\n"
            docs.append(y)
        }
        text = docs.joined(separator: "---\n") + "---\n" + policyYAML
    }
}

/// The issue-9 evaluator (`PolicyEvaluator`, netpol-analyzer/NCA semantics: ipBlocks never match pod IPs) over
/// the manifests as read back by `ManifestReader`.
struct EvaluatorOracle: ConnectivityOracle {
    let evaluator: PolicyEvaluator
    /// Evaluator workload index by `Pod.id`.
    let index: [Int]

    init(_ m: ManifestCluster) throws {
        let set = ManifestReader.parse(text: m.text, file: "cluster-\(m.cluster.seed).yaml")
        guard set.issues.isEmpty else { throw Failure(description: "manifest issues: \(set.issues)") }
        let workloads = WorkloadBuilder.workloads(from: set)
        evaluator = PolicyEvaluator(policies: set.policies, namespaces: Array(set.namespaces.values),
                                    workloads: workloads)
        var idx = [Int](repeating: -1, count: m.cluster.pods.count)
        for p in m.cluster.pods {
            let ep = Endpoint.workload(p.namespace, ManifestCluster.podName(p), kind: "Pod")
            guard let i = evaluator.indexes(of: ep).first else { throw Failure(description: "no workload for \(p)") }
            idx[p.id] = i
        }
        index = idx
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    func allows(_ src: Pod, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool {
        evaluator.connections(from: .workload(index[src.id]), to: .workload(index[dst.id])).contains(proto, Int(port))
    }
    func allows(_ src: Pod, toAddress ip: String, _ proto: Proto, _ port: UInt16) -> Bool {
        evaluator.connections(from: .workload(index[src.id]), to: .address(IPAddr(ip)!)).contains(proto, Int(port))
    }
    func allows(fromAddress ip: String, _ dst: Pod, _ proto: Proto, _ port: UInt16) -> Bool {
        evaluator.connections(from: .address(IPAddr(ip)!), to: .workload(index[dst.id])).contains(proto, Int(port))
    }
}
