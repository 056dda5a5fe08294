import FlowIngest
import FlowModel
import FlowStore

/// `flowmap remap` (also run after every inventory ingest): flows of IP-only formats whose addresses no inventory
/// knew when they were read are mapped through the stored inventory now, as the reader would have mapped them at
/// their time (pod IPs, Service ClusterIPs fanned out to the backends with the target port, node addresses), and
/// their counts move onto those edges exactly. Rows whose addresses are still unknown stay kept.
public enum Remap {
    public struct Report: Sendable, Equatable {
        /// Kept rows mapped (wholly or on one end).
        public var mapped: Int = 0
        /// Flows those rows counted.
        public var flows: Int64 = 0
        /// Rows still unknown on some end.
        public var unknown: Int = 0
    }

    public static func run(db: String) throws -> Report {
        try run(try FlowStore(path: db))
    }

    static func run(_ store: FlowStore) throws -> Report {
        let rows = try store.unmappedFlows()
        var report = Report()
        let inv = try store.inventory()
        guard !rows.isEmpty, !(inv.pods.isEmpty && inv.services.isEmpty) else {
            report.unknown = rows.count
            return report
        }
        let book = AddressBook(inv)
        var moves: [FlowStore.Move] = []
        for r in rows {
            let u = r.flow, e = u.edge.edge, time = u.stats.firstSeen
            let srcUnknown = u.sides & UnmappedFlow.sourceUnknown != 0
            let dstUnknown = u.sides & UnmappedFlow.destinationUnknown != 0
            let srcPod = book.pod(ip: u.sourceIP, at: time), dstPod = book.pod(ip: u.destinationIP, at: time)
            let src = srcUnknown
                ? book.resolve(ip: u.sourceIP, at: time, isDestination: false, otherNode: dstPod?.node) : nil
            var targets: [(peer: FlowPeer?, port: UInt16)] = [(nil, e.port)]
            var service = ""
            if dstUnknown {
                if dstPod == nil, let svc = book.service(ip: u.destinationIP, port: e.port, proto: e.proto, at: time),
                   !svc.backends.isEmpty {
                    targets = svc.backends.map { ($0.peer, $0.port) }
                    service = "\(svc.service.namespace)/\(svc.service.name)"
                } else if let p = book.resolve(ip: u.destinationIP, at: time, port: e.port, proto: e.proto,
                                               isDestination: true, otherNode: srcPod?.node) {
                    targets = [(p, e.port)]
                }
            }
            if src == nil && targets.allSatisfy({ $0.peer == nil }) {
                report.unknown += 1
                continue
            }
            var to: [(edge: EdgeKey, sides: UInt8)] = []
            var addresses: [EdgeAddresses] = []
            var peers: [FlowPeer] = src.map { [$0] } ?? []
            func node(_ p: FlowPeer?) -> Set<String> {
                guard let p, !p.ip.isEmpty, EdgeAddresses.records(p.endpoint, hostNetwork: p.hostNetwork) else { return [] }
                return [p.ip]
            }
            for t in targets {
                addresses.append(EdgeAddresses(source: node(src), destination: node(t.peer)))
                let key = EdgeKey(source: src?.endpoint ?? e.source, destination: t.peer?.endpoint ?? e.destination,
                                  proto: e.proto, port: e.proto.isPolicyProtocol ? t.port : 0, outcome: e.outcome)
                let sides = (srcUnknown && src == nil ? UnmappedFlow.sourceUnknown : 0)
                    | (dstUnknown && t.peer == nil ? UnmappedFlow.destinationUnknown : 0)
                to.append((key, sides))
                if let p = t.peer { peers.append(p) }
                if sides != 0 { report.unknown += 1 }
            }
            moves.append(FlowStore.Move(from: r, to: to, peers: peers.filter { FlowAggregator.isNoted($0.endpoint) },
                                        service: service, addresses: addresses))
            report.mapped += 1
            report.flows += u.stats.flows
        }
        try store.move(moves)
        return report
    }
}
