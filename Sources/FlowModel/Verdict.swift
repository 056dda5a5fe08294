/// What the datapath did with a flow (Hubble's Verdict enum; other formats map onto it).
public enum Verdict: String, Sendable, Hashable, CaseIterable, Codable {
    case forwarded = "FORWARDED"
    case dropped = "DROPPED"
    case audit = "AUDIT"
    case redirected = "REDIRECTED"
    case error = "ERROR"
    case traced = "TRACED"
    case translated = "TRANSLATED"
    case unknown = "UNKNOWN"

    /// The evidence class inference works with.
    public var outcome: Outcome {
        switch self {
        // AUDIT = would have been dropped but audit mode let it through; REDIRECTED = sent to the L7 proxy.
        case .forwarded, .audit, .redirected: return .allowed
        case .dropped: return .denied
        case .error, .traced, .translated, .unknown: return .other
        }
    }
}

/// Evidence class of an edge: observed-allowed edges become allow rules, observed-denied ones are reported,
/// anything else is stored and ignored by inference.
public enum Outcome: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case allowed
    case denied
    case other

    public static func < (a: Outcome, b: Outcome) -> Bool { a.rawValue < b.rawValue }
}
