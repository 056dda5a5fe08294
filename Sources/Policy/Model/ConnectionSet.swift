import FlowModel

/// The L4 connections allowed between two peers: a port set per NetworkPolicy protocol (TCP, UDP, SCTP).
/// Other protocols (ICMP ...) are undefined under NetworkPolicy (semantics B7) and not modelled.
public struct ConnectionSet: Sendable, Hashable, CustomStringConvertible {
    public var tcp: PortSet
    public var udp: PortSet
    public var sctp: PortSet

    public init(tcp: PortSet = .none, udp: PortSet = .none, sctp: PortSet = .none) {
        self.tcp = tcp
        self.udp = udp
        self.sctp = sctp
    }

    public static let all = ConnectionSet(tcp: .all, udp: .all, sctp: .all)
    public static let none = ConnectionSet()

    /// The protocols a NetworkPolicy can name, in output order.
    public static let protocols: [Proto] = [.tcp, .udp, .sctp]

    public init(proto: Proto, ports: PortSet) {
        self.init()
        self[proto] = ports
    }

    public subscript(proto: Proto) -> PortSet {
        get {
            switch proto {
            case .tcp: return tcp
            case .udp: return udp
            case .sctp: return sctp
            default: return .none
            }
        }
        set {
            switch proto {
            case .tcp: tcp = newValue
            case .udp: udp = newValue
            case .sctp: sctp = newValue
            default: break
            }
        }
    }

    public var isEmpty: Bool { tcp.isEmpty && udp.isEmpty && sctp.isEmpty }
    public var isAll: Bool { tcp.isFull && udp.isFull && sctp.isFull }

    public func contains(_ proto: Proto, _ port: Int) -> Bool { self[proto].contains(port) }

    public func union(_ o: ConnectionSet) -> ConnectionSet {
        ConnectionSet(tcp: tcp.union(o.tcp), udp: udp.union(o.udp), sctp: sctp.union(o.sctp))
    }

    public func intersection(_ o: ConnectionSet) -> ConnectionSet {
        ConnectionSet(tcp: tcp.intersection(o.tcp), udp: udp.intersection(o.udp), sctp: sctp.intersection(o.sctp))
    }

    public func subtracting(_ o: ConnectionSet) -> ConnectionSet {
        ConnectionSet(tcp: tcp.subtracting(o.tcp), udp: udp.subtracting(o.udp), sctp: sctp.subtracting(o.sctp))
    }

    public mutating func formUnion(_ o: ConnectionSet) { self = union(o) }

    /// netpol-analyzer's connlist style: `All Connections`, `No Connections`, `TCP 80,8080,UDP 53`;
    /// a protocol with every port is written `TCP 1-65535`.
    public var description: String {
        if isAll { return "All Connections" }
        if isEmpty { return "No Connections" }
        return ConnectionSet.protocols.compactMap { p -> String? in
            let s = self[p]
            return s.isEmpty ? nil : "\(p.rawValue) \(s.isFull ? "1-65535" : s.description)"
        }.joined(separator: ",")
    }
}
