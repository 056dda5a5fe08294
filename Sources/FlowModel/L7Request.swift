/// An application-layer request observed on an edge: the evidence for per-API-endpoint rules.
public enum L7Request: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// HTTP method and path (no scheme, host or query).
    case http(method: String, path: String)
    /// DNS query name, lower-case, with the trailing dot removed.
    case dns(query: String)

    public var kind: String {
        switch self {
        case .http: return "http"
        case .dns: return "dns"
        }
    }

    public var description: String {
        switch self {
        case .http(let m, let p): return "\(m) \(p)"
        case .dns(let q): return "DNS \(q)"
        }
    }

    public static func < (a: L7Request, b: L7Request) -> Bool { a.description < b.description }

    /// Path part of an HTTP URL: `http://10.0.0.1:9090/metrics?x=1` -> `/metrics`; relative paths kept.
    public static func path(fromURL url: String) -> String {
        var rest = Substring(url)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://"),
           rest[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }) {
            rest = rest[rest.index(colon, offsetBy: 3)...]
            if let slash = rest.firstIndex(of: "/") { rest = rest[slash...] } else { return "/" }
        }
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<q] }
        return rest.isEmpty ? "/" : String(rest)
    }
}
