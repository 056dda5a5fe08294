import FlowModel

/// Groups pods into workloads the way netpol-analyzer does (G5): by controller owner, a Deployment's ReplicaSet
/// folded into the Deployment, a `Node` owner ignored; controllers without pods in the input are expanded from
/// their pod template. Pods of one workload with different labels or ports become separate `Workload` variants.
public enum WorkloadBuilder {
    public static func workloads(from set: ManifestSet) -> [Workload] {
        workloads(pods: set.pods, controllers: set.controllers)
    }

    public static func workloads(pods: [PodManifest], controllers: [ControllerManifest]) -> [Workload] {
        var controllerByKey: [String: ControllerManifest] = [:]
        for c in controllers { controllerByKey["\(c.namespace)/\(c.kind)/\(c.name)"] = c }

        /// The top-level owner of a (kind, name) in a namespace.
        func topOwner(ns: String, kind: String, name: String, podLabels: [String: String]) -> (String, String) {
            var kind = kind, name = name
            for _ in 0..<4 {
                if let c = controllerByKey["\(ns)/\(kind)/\(name)"], !c.ownerKind.isEmpty, c.ownerKind != "Node" {
                    kind = c.ownerKind
                    name = c.ownerName
                    continue
                }
                break
            }
            if kind == "ReplicaSet", let hash = podLabels["pod-template-hash"], name.hasSuffix("-\(hash)") {
                return ("Deployment", String(name.dropLast(hash.count + 1)))
            }
            return (kind, name)
        }

        struct Key: Hashable {
            var endpoint: Endpoint
            var labels: [String: String]
            var ports: [ContainerPort]
            var hostNetwork: Bool
        }
        var order: [Key] = []
        var byKey: [Key: Workload] = [:]
        var seenEndpoints = Set<Endpoint>()
        for p in pods {
            var kind = "Pod", name = p.name
            if !p.ownerKind.isEmpty && p.ownerKind != "Node" {
                (kind, name) = topOwner(ns: p.namespace, kind: p.ownerKind, name: p.ownerName, podLabels: p.labels)
            }
            let ep = Endpoint.workload(p.namespace, name, kind: kind)
            let k = Key(endpoint: ep, labels: p.labels, ports: p.containerPorts, hostNetwork: p.hostNetwork)
            var ips = p.ips
            if p.hostNetwork, ips.isEmpty, let h = p.hostIP { ips = [h] }
            if var w = byKey[k] {
                for ip in ips where !w.ips.contains(ip) { w.ips.append(ip) }
                if w.nodeName != p.nodeName { w.nodeName = "" }
                byKey[k] = w
            } else {
                order.append(k)
                byKey[k] = Workload(endpoint: ep, labels: p.labels, containerPorts: p.containerPorts, ips: ips,
                                    hostNetwork: p.hostNetwork, nodeName: p.nodeName)
            }
            seenEndpoints.insert(ep)
        }
        var out = order.map { byKey[$0]! }
        for c in controllers {
            // A controller owned by another one (ReplicaSet of a Deployment) is represented by its owner.
            if !c.ownerKind.isEmpty && c.ownerKind != "Node" && controllerByKey["\(c.namespace)/\(c.ownerKind)/\(c.ownerName)"] != nil {
                continue
            }
            let (kind, name) = topOwner(ns: c.namespace, kind: c.kind, name: c.name, podLabels: c.templateLabels)
            let ep = Endpoint.workload(c.namespace, name, kind: kind)
            if seenEndpoints.contains(ep) { continue }
            seenEndpoints.insert(ep)
            out.append(Workload(endpoint: ep, labels: c.templateLabels, containerPorts: c.containerPorts,
                                hostNetwork: c.hostNetwork))
        }
        return out
    }
}
