import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// TLS for a Hubble server, with the `hubble` CLI's flag names: `--tls`, `--tls-ca-cert-files`,
/// `--tls-client-cert-file` + `--tls-client-key-file` (mTLS), `--tls-server-name` (the name the server's
/// certificate is checked against, and the SNI; Hubble's per-node certificates are for
/// `<node>.<cluster>.hubble-grpc.cilium.io`, not for an address).
public struct HubbleTLS: Sendable, Equatable {
    public var enabled = false
    public var caCertFiles: [String] = []
    public var clientCertFile: String?
    public var clientKeyFile: String?
    public var serverName: String?
    public init() {}

    /// Refuses half an mTLS pair and TLS files without `--tls`.
    public func validate() throws(HubbleFeedError) {
        if (clientCertFile == nil) != (clientKeyFile == nil) {
            throw HubbleFeedError("--tls-client-cert-file and --tls-client-key-file go together (mTLS); pass both")
        }
        if !enabled && (!caCertFiles.isEmpty || clientCertFile != nil || serverName != nil) {
            throw HubbleFeedError("TLS options without --tls: pass --tls to connect with TLS")
        }
    }
}

/// A Hubble server address: `host:port`, `[v6]:port`, a bare host (the default port), or `unix:///path`
/// (a node's local socket, `/var/run/cilium/hubble.sock`).
public struct HubbleTarget: Sendable, Hashable, CustomStringConvertible {
    public enum Place: Sendable, Hashable {
        case host(String, port: Int)
        case unix(String)
    }
    public var place: Place

    public var description: String {
        switch place {
        case .host(let h, let p): return h.contains(":") ? "[\(h)]:\(p)" : "\(h):\(p)"
        case .unix(let path): return "unix://\(path)"
        }
    }

    /// Relay listens on 4245, a node's Hubble server on 4244.
    public static func parse(_ text: String, defaultPort: Int) throws(HubbleFeedError) -> HubbleTarget {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("unix://") {
            let path = String(s.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw HubbleFeedError("\(text): a unix socket needs an absolute path (unix:///var/run/cilium/hubble.sock)") }
            return HubbleTarget(place: .unix(path))
        }
        for scheme in ["dns:///", "passthrough:///", "http://", "https://"] where s.hasPrefix(scheme) {
            s = s.dropFirst(scheme.count)
        }
        var host = String(s), port = defaultPort
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw HubbleFeedError("\(text): unclosed [ in an IPv6 address") }
            host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            if rest.hasPrefix(":") {
                guard let p = Int(rest.dropFirst()), (1...65535).contains(p) else {
                    throw HubbleFeedError("\(text): port is not a number in 1..65535")
                }
                port = p
            } else if !rest.isEmpty {
                throw HubbleFeedError("\(text): expected [address]:port")
            }
        } else if let colon = s.lastIndex(of: ":"), s.firstIndex(of: ":") == colon {
            host = String(s[..<colon])
            guard let p = Int(s[s.index(after: colon)...]), (1...65535).contains(p) else {
                throw HubbleFeedError("\(text): port is not a number in 1..65535")
            }
            port = p
        }
        guard !host.isEmpty else { throw HubbleFeedError("\(text): no host; expected HOST:PORT (Relay: localhost:4245)") }
        return HubbleTarget(place: .host(host, port: port))
    }

    /// The transport for this server with `o`'s TLS and keepalive; `serverName` overrides the TLS name (per node,
    /// from Peer/Notify).
    func transport(_ o: HubbleFeedOptions, serverName: String? = nil) throws -> HTTP2ClientTransport.Posix {
        let tls = o.tls
        let target: any ResolvableTarget
        switch place {
        case .host(let h, let p):
            if h.contains(":") { target = .ipv6(address: h, port: p) }
            else if h.split(separator: ".").count == 4, h.allSatisfy({ $0.isNumber || $0 == "." }) {
                target = .ipv4(address: h, port: p)
            } else { target = .dns(host: h, port: p) }
        case .unix(let path):
            target = .unixDomainSocket(path: path)
        }
        let config = Self.config(o, serverName: serverName)
        let security: HTTP2ClientTransport.Posix.TransportSecurity
        if tls.enabled {
            security = .tls { c in
                if !tls.caCertFiles.isEmpty {
                    c.trustRoots = .certificates(tls.caCertFiles.map { .file(path: $0, format: .pem) })
                }
                if let cert = tls.clientCertFile, let key = tls.clientKeyFile {
                    c.certificateChain = [.file(path: cert, format: .pem)]
                    c.privateKey = .file(path: key, format: .pem)
                }
            }
        } else {
            security = .plaintext
        }
        return try HTTP2ClientTransport.Posix(target: target, transportSecurity: security, config: config)
    }

    /// The HTTP/2 settings of a connection to a Hubble server.
    static func config(_ o: HubbleFeedOptions, serverName: String? = nil) -> HTTP2ClientTransport.Posix.Config {
        var config = HTTP2ClientTransport.Posix.Config.defaults
        // Flows are small; a long stream should not be cut by idle timers (Hubble sends nothing while quiet).
        config.connection.maxIdleTime = nil
        // Pings only while a call is open (a server counts pings without one as abuse whatever their interval).
        if let time = o.keepaliveSeconds {
            config.connection.keepalive = .init(time: .milliseconds(Int64(time * 1000)),
                                                timeout: .milliseconds(Int64(o.keepaliveTimeoutSeconds * 1000)),
                                                allowWithoutCalls: false)
        }
        if o.tls.enabled, let name = serverName ?? o.tls.serverName { config.http2.authority = name }
        return config
    }
}

/// A Hubble source that cannot be read as given; the message says how to fix it.
public struct HubbleFeedError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
