import FlowModel

/// One end of a connectivity line: a workload, or a range of external addresses.
public enum ConnectivityPeer: Sendable, Hashable, Comparable, CustomStringConvertible {
    case endpoint(Endpoint)
    case range(IPRange)

    public var description: String {
        switch self {
        case .endpoint(let e): return e.description
        case .range(let r): return r.description
        }
    }

    public var isExternal: Bool { if case .range = self { return true } else { return false } }

    public static func < (a: ConnectivityPeer, b: ConnectivityPeer) -> Bool {
        switch (a, b) {
        case (.endpoint(let x), .endpoint(let y)): return x.description < y.description
        case (.range(let x), .range(let y)): return x < y
        case (.range, .endpoint): return true  // addresses sort first, as in netpol-analyzer's connlist
        case (.endpoint, .range): return false
        }
    }
}
