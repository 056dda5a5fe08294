import FlowModel

/// One rule of a Cilium policy (api.Rule): the endpoints or nodes it selects and what it allows or denies in
/// each direction. A nil section is absent; an empty one is present but has no rules (CP4).
public struct CiliumRule: Sendable, Hashable {
    public enum Subject: Sendable, Hashable {
        /// `endpointSelector`: pods (a namespaced policy's selector is limited to its namespace, CS5).
        case endpoints(CiliumSelector)
        /// `nodeSelector`: the hosts, a host-firewall policy (CP2).
        case nodes(CiliumSelector)
    }

    public var subject: Subject
    public var ingress: [CiliumPeerRule]?
    public var ingressDeny: [CiliumPeerRule]?
    public var egress: [CiliumPeerRule]?
    public var egressDeny: [CiliumPeerRule]?
    /// `enableDefaultDeny.ingress` / `.egress`; nil when not given (CD2).
    public var defaultDenyIngress: Bool?
    public var defaultDenyEgress: Bool?

    public init(subject: Subject, ingress: [CiliumPeerRule]? = nil, ingressDeny: [CiliumPeerRule]? = nil,
                egress: [CiliumPeerRule]? = nil, egressDeny: [CiliumPeerRule]? = nil,
                defaultDenyIngress: Bool? = nil, defaultDenyEgress: Bool? = nil) {
        self.subject = subject
        self.ingress = ingress
        self.ingressDeny = ingressDeny
        self.egress = egress
        self.egressDeny = egressDeny
        self.defaultDenyIngress = defaultDenyIngress
        self.defaultDenyEgress = defaultDenyEgress
    }

    /// Allow (deny) rules of one direction.
    public func rules(ingress inbound: Bool, deny: Bool) -> [CiliumPeerRule] {
        switch (inbound, deny) {
        case (true, false): return ingress ?? []
        case (true, true): return ingressDeny ?? []
        case (false, false): return egress ?? []
        case (false, true): return egressDeny ?? []
        }
    }

    /// Does this rule put its subjects into default deny in a direction (CD1, CD2)? Only a direction with
    /// rules can: an `enableDefaultDeny` without rules in that direction has no effect in Cilium.
    public func isolates(ingress inbound: Bool, honourEnableDefaultDeny: Bool = true) -> Bool {
        let count = rules(ingress: inbound, deny: false).count + rules(ingress: inbound, deny: true).count
        guard count > 0 else { return false }
        guard honourEnableDefaultDeny else { return true }
        return (inbound ? defaultDenyIngress : defaultDenyEgress) ?? true
    }
}
