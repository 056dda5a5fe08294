import FlowModel
import Foundation

/// One `toPorts` entry: ports (ORed; none = every port, CR2) and the L7 rules that filter requests on them.
public struct CiliumPortRule: Sendable, Hashable {
    public var ports: [CiliumPort]
    /// nil: no L7 rules (every request on the ports). Deny rules never have L7 rules.
    public var rules: CiliumL7Rules?

    public init(ports: [CiliumPort] = [], rules: CiliumL7Rules? = nil) {
        self.ports = ports
        self.rules = rules
    }
}

/// `toPorts[].ports[]`: a port number (`0` or absent: every port), a named port, or a range with `endPort`.
public struct CiliumPort: Sendable, Hashable {
    public enum Port: Sendable, Hashable {
        case number(Int)
        case name(String)
    }

    /// `TCP`, `UDP`, `SCTP` or `ANY` (the default, CR5).
    public enum Transport: String, Sendable, Hashable, CaseIterable {
        case tcp = "TCP"
        case udp = "UDP"
        case sctp = "SCTP"
        case any = "ANY"
    }

    public var port: Port
    public var endPort: Int?
    public var proto: Transport

    public init(port: Port = .number(0), endPort: Int? = nil, proto: Transport = .any) {
        self.port = port
        self.endPort = endPort
        self.proto = proto
    }

    /// The transport protocols the entry covers; SCTP only when Cilium's SCTP support is on.
    public func protocols(sctp: Bool) -> [Proto] {
        switch proto {
        case .tcp: return [.tcp]
        case .udp: return [.udp]
        case .sctp: return sctp ? [.sctp] : []
        case .any: return sctp ? [.tcp, .udp, .sctp] : [.tcp, .udp]
        }
    }
}

/// `toPorts[].rules`: HTTP rules or DNS rules (the other L7 kinds are rejected by the reader).
public struct CiliumL7Rules: Sendable, Hashable {
    public var http: [CiliumHTTPRule]
    public var dns: [CiliumFQDNSelector]

    public init(http: [CiliumHTTPRule] = [], dns: [CiliumFQDNSelector] = []) {
        self.http = http
        self.dns = dns
    }

    /// An empty `rules: {}` (or empty lists) restricts nothing.
    public var isEmpty: Bool { http.isEmpty && dns.isEmpty }

    /// Does a request pass these rules (CL1-CL4)? An HTTP rule list admits no DNS query and the reverse.
    public func admits(_ request: L7Request) -> Bool {
        switch request {
        case .http(let method, let path):
            return http.contains { $0.matches(method: method, path: path) }
        case .dns(let query):
            return dns.contains { $0.matches(query) }
        }
    }
}

/// `rules.http[]`: method, path and host are anchored regular expressions (Envoy's full match, CL1); every
/// given field must match. Headers cannot be checked against flow records, so a rule with headers matches no
/// observed request (CL2).
public struct CiliumHTTPRule: Sendable, Hashable {
    public var method: String
    public var path: String
    public var host: String
    public var hasHeaders: Bool

    public init(method: String = "", path: String = "", host: String = "", hasHeaders: Bool = false) {
        self.method = method
        self.path = path
        self.host = host
        self.hasHeaders = hasHeaders
    }

    public func matches(method m: String, path p: String) -> Bool {
        if hasHeaders || !host.isEmpty { return false }
        return Self.fullMatch(method, m) && Self.fullMatch(path, p)
    }

    /// Empty pattern: any value. An invalid pattern matches nothing (the reader rejects it first).
    static func fullMatch(_ pattern: String, _ value: String) -> Bool {
        if pattern.isEmpty { return true }
        guard let re = RegexCache.shared.regex(pattern) else { return false }
        return (try? re.wholeMatch(in: value)) != nil
    }

    /// nil when the pattern compiles; else the compiler's message.
    public static func regexError(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return "\(error)"
        }
    }
}

/// Compiled L7 regexes by pattern: a check replays many requests against the same few rules.
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()
    private let lock = NSLock()
    private var compiled: [String: Regex<AnyRegexOutput>?] = [:]

    func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        lock.lock()
        defer { lock.unlock() }
        if let r = compiled[pattern] { return r }
        let r = try? Regex(pattern)
        compiled[pattern] = r
        return r
    }
}
