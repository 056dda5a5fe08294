import FlowModel

/// Splits the address space into the coarsest ranges that every ipBlock of a policy set holds either entirely or
/// not at all, so one representative answer per range is exact (external peers of the connectivity map).
public enum IPSpacePartition {
    /// Ranges covering all of IPv4 (and all of IPv6 when `includeV6` or any block is IPv6), in order.
    public static func ranges(blocks: [IPBlock], includeV6: Bool = false) -> [IPRange] {
        var cidrs: [CIDR] = []
        for b in blocks {
            cidrs.append(b.cidr)
            cidrs += b.except
        }
        var out = split(.allV4, cidrs: cidrs.filter { !$0.network.isV6 })
        if includeV6 || cidrs.contains(where: { $0.network.isV6 }) {
            out += split(.allV6, cidrs: cidrs.filter { $0.network.isV6 })
        }
        return out
    }

    static func split(_ whole: IPRange, cidrs: [CIDR]) -> [IPRange] {
        // Boundaries: every range start, and every range end + 1.
        var starts = Set<IPAddr>([whole.first])
        for c in cidrs {
            let r = c.range
            starts.insert(r.first)
            if let n = r.last.successor { starts.insert(n) }
        }
        let sorted = starts.sorted()
        var out: [IPRange] = []
        out.reserveCapacity(sorted.count)
        for (i, s) in sorted.enumerated() {
            let last = i + 1 < sorted.count ? sorted[i + 1].predecessor! : whole.last
            out.append(IPRange(first: s, last: last))
        }
        return out
    }
}
