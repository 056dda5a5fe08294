import FlowModel

/// One ingress/egress (allow or deny) rule: the L3 peers (`from*`/`to*`, ORed) and the ports (`toPorts`).
/// Every selector list is nil when absent; a present empty list selects nothing (CR3).
public struct CiliumPeerRule: Sendable, Hashable {
    public var endpoints: [CiliumSelector]?
    /// `fromNodes`/`toNodes`: remote hosts by node labels.
    public var nodes: [CiliumSelector]?
    public var entities: [CiliumEntity]?
    /// `fromCIDR`/`toCIDR` (blocks without exceptions) and `fromCIDRSet`/`toCIDRSet`.
    public var cidrs: [IPBlock]?
    public var cidrSets: [IPBlock]?
    public var fqdns: [CiliumFQDNSelector]?
    public var services: [CiliumServiceSelector]?
    /// nil: every port (CR2).
    public var ports: [CiliumPortRule]?

    public init(endpoints: [CiliumSelector]? = nil, nodes: [CiliumSelector]? = nil, entities: [CiliumEntity]? = nil,
                cidrs: [IPBlock]? = nil, cidrSets: [IPBlock]? = nil, fqdns: [CiliumFQDNSelector]? = nil,
                services: [CiliumServiceSelector]? = nil, ports: [CiliumPortRule]? = nil) {
        self.endpoints = endpoints
        self.nodes = nodes
        self.entities = entities
        self.cidrs = cidrs
        self.cidrSets = cidrSets
        self.fqdns = fqdns
        self.services = services
        self.ports = ports
    }

    /// A present but empty selector list: Cilium selects no peer at all for this rule (CR3).
    public var hasEmptySelectorList: Bool {
        endpoints?.isEmpty == true || nodes?.isEmpty == true || entities?.isEmpty == true
            || cidrs?.isEmpty == true || cidrSets?.isEmpty == true
    }

    /// No L3 field given: the rule's peers are every peer when it has ports, none when it is empty (CR1, CR2).
    public var hasNoPeerFields: Bool {
        endpoints == nil && nodes == nil && entities == nil && cidrs == nil && cidrSets == nil && fqdns == nil
            && services == nil
    }

    /// Every address block of the rule (CIDR and CIDR-set forms).
    public var blocks: [IPBlock] { (cidrs ?? []) + (cidrSets ?? []) }
}
