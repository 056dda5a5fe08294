extension EvalPeer {
    /// Whether a rule whose selector peers matched `workloads` and whose address peers are `blocks` matches
    /// this peer (NetworkPolicy rules and admin-tier rules alike; the own node is never a rule's peer).
    @inline(__always)
    func isMatched(byWorkloads workloads: WorkloadSet, blocks: [IPBlock]) -> Bool {
        if case .workload(let i) = self { return workloads.contains(i) }
        return isMatched(byBlocks: blocks)
    }

    @inline(__always)
    func isMatched(byWorkloads workloads: Bitset, blocks: [IPBlock]) -> Bool {
        if case .workload(let i) = self { return workloads.contains(i) }
        return isMatched(byBlocks: blocks)
    }

    @inline(__always)
    private func isMatched(byBlocks blocks: [IPBlock]) -> Bool {
        switch self {
        case .workload: return false
        case .address(let ip): return blocks.contains { $0.contains(ip) }
        case .range(let r): return blocks.contains { $0.contains(r) }
        case .unknownAddress: return blocks.contains { $0.coversFamily }
        case .ownNode, .reserved: return false
        }
    }
}
