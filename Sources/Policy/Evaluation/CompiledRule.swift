import FlowModel

/// An ingress or egress rule with its peers resolved to workload bits once, so pairs only test bits.
struct CompiledRule: Sendable {
    /// Empty `from`/`to`: every peer, including external addresses (C5).
    var matchesAll: Bool
    /// Workloads matched by the selector peers (and by ipBlocks when those match pod IPs).
    var workloads: WorkloadSet
    var blocks: [IPBlock]
    /// Numeric and portless entries.
    var fixed: ConnectionSet
    /// Named port entries, resolved against the destination (F5, F6).
    var named: [(proto: Proto, name: String)]
    var policy: Int
    /// Position in the policy's `ingress` or `egress` list (for explanations).
    var index: Int

    func matches(_ peer: EvalPeer) -> Bool {
        matchesAll || peer.isMatched(byWorkloads: workloads, blocks: blocks)
    }

    /// The allowed connections towards `destination` (nil: not a pod, so named ports resolve to nothing).
    func connections(to destination: Workload?) -> ConnectionSet {
        guard let d = destination else { return fixed }
        return connections(toPorts: d.containerPorts)
    }

    /// Same as `connections(to:)` for a pod destination given by its container ports (no Workload copy in the
    /// pair loop).
    @inline(__always)
    func connections(toPorts ports: [ContainerPort]) -> ConnectionSet {
        if named.isEmpty { return fixed }
        var c = fixed
        for n in named {
            // Workload.resolve(portName:proto:): the first container port with this name and protocol.
            if let p = ports.first(where: { $0.name == n.name && $0.proto == n.proto }).map({ Int($0.port) }) {
                c[n.proto] = c[n.proto].union(PortSet(p...p))
            }
        }
        return c
    }
}
