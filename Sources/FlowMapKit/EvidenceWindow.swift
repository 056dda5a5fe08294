import FlowModel

/// `--since` / `--until` of every verb that reads evidence (nanoseconds since the epoch, inclusive). Edges are
/// stored aggregated, so an edge is in the window when its first..last-seen span overlaps it, with its whole
/// count (the rule inference applies, `InferenceOptions.since`).
public struct EvidenceWindow: Sendable, Hashable {
    public var since: Int64?
    public var until: Int64?

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    public var isAll: Bool { since == nil && until == nil }

    public func contains(_ s: EdgeStats) -> Bool {
        !(since.map { s.lastSeen < $0 } ?? false) && !(until.map { s.firstSeen > $0 } ?? false)
    }

    func filter(_ edges: [ObservedEdge]) -> [ObservedEdge] {
        isAll ? edges : edges.filter { contains($0.stats) }
    }

    /// `2024-05-01T00:00:00Z .. now`, for messages.
    var text: String {
        (since.map(Timestamp.format) ?? "the beginning") + " .. " + (until.map(Timestamp.format) ?? "now")
    }
}
