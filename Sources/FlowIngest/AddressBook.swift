import FlowModel

/// Maps the addresses of IP-only flow formats (VPC flow logs, generic records) to what they were at the flow's
/// time, from an `Inventory`:
/// - a Service ClusterIP (destinations only) maps to the Service's backend workloads, with the port translated to
///   the backends' target port;
/// - a pod IP maps to the pod that held it at that time (IPs are reused: the pod whose window contains the time,
///   the latest-started when several do);
/// - a node address maps to a host-network pod on that node declaring the destination port, else to
///   `reserved:host` when the other end is a pod on that same node (kubelet probes), else `reserved:remote-node`;
/// - anything else is nil: the caller makes it an external peer.
public struct AddressBook: Sendable {
    struct Window: Sendable {
        var pod: Int
        var from: Int64
        var until: Int64?
    }

    public let inventory: Inventory
    private var byIP: [String: [Window]] = [:]
    private var nodeByIP: [String: String] = [:]
    private var servicesByIP: [String: [Int]] = [:]

    public init(_ inventory: Inventory) {
        self.inventory = inventory
        for (i, p) in inventory.pods.enumerated() {
            if !p.node.isEmpty && !p.hostIP.isEmpty { nodeByIP[p.hostIP] = p.node }
            if p.hostNetwork { continue }
            for ip in p.ips { byIP[ip, default: []].append(Window(pod: i, from: p.from, until: p.until)) }
        }
        for (node, addrs) in inventory.nodes { for a in addrs { nodeByIP[a] = node } }
        for (i, s) in inventory.services.enumerated() {
            for ip in s.clusterIPs where ip != "None" && !ip.isEmpty { servicesByIP[ip, default: []].append(i) }
        }
    }

    public var isEmpty: Bool { inventory.pods.isEmpty && inventory.services.isEmpty }

    /// The pod holding `ip` at `time` (nanoseconds), if any.
    public func pod(ip: String, at time: Int64) -> InventoryPod? {
        guard let ws = byIP[ip] else { return nil }
        var best: Window?
        for w in ws where w.from <= time && (w.until.map { time <= $0 } ?? true) {
            if best == nil || w.from > best!.from { best = w }
        }
        return best.map { inventory.pods[$0.pod] }
    }

    /// The node an address belongs to.
    public func node(ip: String) -> String? { nodeByIP[ip] }

    /// The flow peer of a pod, with its labels and its namespace's labels.
    public func peer(for pod: InventoryPod, ip: String) -> FlowPeer {
        FlowPeer(endpoint: pod.workload, labels: pod.labels,
                 namespaceLabels: inventory.namespaces[pod.namespace] ?? [:], podName: pod.name, ip: ip,
                 hostNetwork: pod.hostNetwork)
    }

    /// A Service behind a ClusterIP and port, with each backend workload and the port the connection lands on.
    public struct ServiceTarget: Sendable {
        public var service: InventoryService
        public var port: ServicePort
        public var backends: [(peer: FlowPeer, port: UInt16)]
    }

    /// The Service owning ClusterIP `ip` with a port `port`/`proto`, and its backends at `time`.
    public func service(ip: String, port: UInt16, proto: Proto, at time: Int64) -> ServiceTarget? {
        guard let idx = servicesByIP[ip] else { return nil }
        for i in idx {
            let s = inventory.services[i]
            guard let sp = s.ports.first(where: { $0.port == port && $0.proto == proto }) else { continue }
            var pods: [InventoryPod] = []
            if !s.selector.isEmpty {
                pods = inventory.pods.filter {
                    $0.namespace == s.namespace && $0.holds(at: time) && $0.labels.matches(s.selector)
                }
            }
            for b in s.backendIPs {
                if let p = pod(ip: b, at: time), !pods.contains(where: { $0.key == p.key }) { pods.append(p) }
            }
            var seen = Set<String>()
            var backends: [(FlowPeer, UInt16)] = []
            for p in pods.sorted(by: { ($0.workload, $0.name) < ($1.workload, $1.name) }) {
                let target: UInt16
                if sp.targetPortName.isEmpty {
                    target = sp.targetPort == 0 ? sp.port : sp.targetPort
                } else if let cp = p.ports.first(where: { $0.name == sp.targetPortName && $0.proto == proto }) {
                    target = cp.port
                } else {
                    continue  // this pod does not serve the named port
                }
                let key = "\(p.workload.key)|\(target)"
                if seen.insert(key).inserted { backends.append((peer(for: p, ip: p.ips.first ?? ""), target)) }
            }
            return ServiceTarget(service: s, port: sp, backends: backends)
        }
        return nil
    }

    /// Resolves one end of a flow. `port` is the destination port when `isDestination`; `otherNode` is the node
    /// of the other end when it is a known pod (tells `host` from `remote-node`).
    public func resolve(ip: String, at time: Int64, port: UInt16 = 0, proto: Proto = .tcp, isDestination: Bool,
                        otherNode: String? = nil) -> FlowPeer? {
        if let p = pod(ip: ip, at: time) { return peer(for: p, ip: ip) }
        guard let node = nodeByIP[ip] else { return nil }
        if isDestination && port != 0 {
            if let p = inventory.pods.first(where: {
                $0.hostNetwork && $0.node == node && $0.holds(at: time)
                    && $0.ports.contains { $0.port == port && $0.proto == proto }
            }) {
                return peer(for: p, ip: ip)
            }
        }
        let entity: ReservedEntity = otherNode == node ? .host : .remoteNode
        return FlowPeer(endpoint: .reserved(entity), ip: ip)
    }
}
