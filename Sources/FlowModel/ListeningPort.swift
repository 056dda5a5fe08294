/// A port a workload listens on: evidence that traffic to it is forward and traffic from it a reply
/// (`ReplyRule.listeningPort`). Seen in flows (a SYN to it, `is_reply: false`, trace reason NEW, an answer from
/// it) or declared by an inventory (containerPort, Service targetPort). The store keeps the observed ones with a
/// count, so a port seen opened in one file orients the replies of another.
public struct ListeningPort: Hashable, Sendable, Comparable {
    public var endpoint: Endpoint
    public var proto: Proto
    public var port: UInt16
    public init(endpoint: Endpoint, proto: Proto, port: UInt16) {
        self.endpoint = endpoint
        self.proto = proto
        self.port = port
    }

    public static func < (a: ListeningPort, b: ListeningPort) -> Bool {
        if a.endpoint != b.endpoint { return a.endpoint < b.endpoint }
        if a.proto != b.proto { return a.proto < b.proto }
        return a.port < b.port
    }

    /// The listening ports an inventory declares: every pod's container ports, and each Service's target
    /// ports on the pods its selector matches (named target ports resolved on the pod).
    public static func declared(by inv: Inventory) -> Set<ListeningPort> {
        var out = Set<ListeningPort>()
        for p in inv.pods {
            for c in p.ports { out.insert(ListeningPort(endpoint: p.workload, proto: c.proto, port: c.port)) }
        }
        for svc in inv.services where !svc.selector.isEmpty {
            for p in inv.pods where p.namespace == svc.namespace && p.labels.matches(svc.selector) {
                for sp in svc.ports {
                    let port = sp.targetPort != 0 ? sp.targetPort
                        : p.ports.first { $0.name == sp.targetPortName && $0.proto == sp.proto }?.port ?? 0
                    if port != 0 { out.insert(ListeningPort(endpoint: p.workload, proto: sp.proto, port: port)) }
                }
            }
        }
        return out
    }
}
