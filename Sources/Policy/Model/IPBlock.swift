import FlowModel

/// NetworkPolicyPeer.ipBlock: `cidr` minus every `except` block (semantics E1).
public struct IPBlock: Sendable, Hashable {
    public var cidr: CIDR
    public var except: [CIDR]

    public init(cidr: CIDR, except: [CIDR] = []) {
        self.cidr = cidr
        self.except = except
    }

    public func contains(_ ip: IPAddr) -> Bool {
        cidr.contains(ip) && !except.contains { $0.contains(ip) }
    }

    /// True when the whole range lies inside the block (ranges from `IPSpacePartition` are either fully inside
    /// or fully outside every block).
    public func contains(_ r: IPRange) -> Bool {
        cidr.range.contains(r) && !except.contains { $0.range.contains(r.first) || $0.range.contains(r.last) }
    }

    /// True when the block covers its whole address family with no exceptions.
    public var coversFamily: Bool { cidr.prefix == 0 && except.isEmpty }
}
