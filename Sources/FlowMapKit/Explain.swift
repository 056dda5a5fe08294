import FlowModel
import Policy

/// `flowmap explain SRC DST PROTO/PORT`: the verdict for one connection in each direction and the policies and
/// rules behind it, over the same inventory and evaluation path as `check` and `connectivity`.
public enum Explain {
    public struct Options: Sendable {
        public var policies: [String]
        /// Optional store supplying observed workloads and known addresses.
        public var db: String?
        /// `--since/--until`: the buckets of evidence read (whole buckets, `TimeWindow`).
        public var window = TimeWindow()
        /// A workload (`ns/name`, `ns/name[Kind]`, `ns/Kind/name`), a pod (`ns/pod-name`), or an address.
        public var source: String
        public var destination: String
        /// `TCP/80`, `udp/53`, or a bare port (TCP).
        public var port: String
        public var evaluator = EvaluatorOptions()
        public var accept = PolicyInputs.Acceptance()
        public init(policies: [String], db: String? = nil, source: String, destination: String, port: String) {
            self.policies = policies
            self.db = db
            self.source = source
            self.destination = destination
            self.port = port
        }
    }

    public struct Result: Sendable {
        public var explanation: PolicyExplanation
        public var policies: Int
        public var workloads: Int
        public var caveats: EvaluationCaveats
        public var notes: [String]
        /// Inventory routes this connection uses (`RouteIndex`: `Kind namespace/name (rule)`), sorted.
        public var routes: [String] = []

        public var text: String {
            explanation.text + routes.map { "route: \($0)\n" }.joined()
                + "[\(policies) policies, \(workloads) workloads]\(caveats.suffix)\n"
        }
    }

    public static func run(_ o: Options) throws -> Result {
        let (proto, port) = try parsePort(o.port)
        let loaded = try PolicyInputs.load(o.policies, accept: o.accept)
        let opened = try o.db.map { try Generate.openExisting($0, window: o.window) }
        let store = try opened.map { try PolicyInputs.store($0) }
        let data = store?.data ?? ClusterInventory.StoreData()
        let names = try opened.map { try PolicyInputs.dnsNames($0) } ?? [:]
        let e = Check.Evaluation(manifests: loaded.manifests, data: data, edges: store?.edges ?? [],
                                 options: o.evaluator, dnsNames: names)
        try PolicyInputs.requireWorkloads(e.inventory, o.policies, db: o.db)
        let src = try resolve(o.source, e, loaded.manifests), dst = try resolve(o.destination, e, loaded.manifests)
        let x = PolicyExplanation(e.evaluator, source: src, destination: dst, proto: proto, port: port,
                                  addresses: data.addresses)
        let key = EdgeKey(source: src, destination: dst, proto: proto, port: UInt16(port), outcome: .allowed)
        let routes = try opened.map { RouteIndex(inventory: try $0.inventory(), edges: store?.edges ?? []).routes(key) }
        return Result(explanation: x, policies: loaded.manifests.evaluatedPolicyCount,
                      workloads: Set(e.inventory.workloads.map(\.endpoint)).count, caveats: loaded.caveats,
                      notes: loaded.notes + e.warnings, routes: routes ?? [])
    }

    static func parsePort(_ text: String) throws -> (Proto, Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let protoText = parts.count == 2 ? String(parts[0]) : "TCP"
        guard parts.count <= 2, let proto = Proto(loose: protoText), proto.isPolicyProtocol,
              let port = Int(parts.last ?? ""), (1...65535).contains(port) else {
            throw PolicyInputs.Failure(description: "\(text): expected PROTOCOL/PORT such as TCP/443 or UDP/53 "
                                       + "(protocol TCP, UDP or SCTP; port 1-65535)")
        }
        return (proto, port)
    }

    /// A workload by `ns/name[Kind]`, `ns/Kind/name` or `ns/name`; a pod by `ns/pod-name` (its workload); an
    /// address (the workload holding it when one does, else an external address); `reserved:NAME`.
    static func resolve(_ text: String, _ e: Check.Evaluation, _ m: ManifestSet) throws -> Endpoint {
        let known = Set(e.inventory.workloads.map(\.endpoint))
        if let ip = IPAddr(text) {
            let holders = Set(e.inventory.workloads.filter { $0.ips.contains(ip) }.map(\.endpoint))
            return holders.count == 1 ? holders.first! : .external(text)
        }
        if text.hasPrefix("reserved:") { return .reserved(String(text.dropFirst("reserved:".count))) }
        if let ep = known.first(where: { $0.description == text }) { return ep }
        let parts = text.split(separator: "/").map(String.init)
        if parts.count == 3, let ep = known.first(where: { $0.namespace == parts[0] && $0.workloadKind == parts[1] && $0.name == parts[2] }) {
            return ep
        }
        guard parts.count == 2 else { throw unknown(text, known) }
        let byName = known.filter { $0.namespace == parts[0] && $0.name == parts[1] }.sorted()
        if byName.count == 1 { return byName[0] }
        if byName.count > 1 {
            throw PolicyInputs.Failure(description: "\(text) is ambiguous: "
                                       + byName.map(\.description).joined(separator: ", ") + "; name one as ns/name[Kind]")
        }
        // A pod: the workload it belongs to (grouped like every other pod).
        let pods = m.pods.filter { $0.namespace == parts[0] && $0.name == parts[1] }
        if let ep = WorkloadBuilder.workloads(pods: pods, controllers: m.controllers).first?.endpoint { return ep }
        throw unknown(text, known)
    }

    static func unknown(_ text: String, _ known: Set<Endpoint>) -> PolicyInputs.Failure {
        let ns = text.split(separator: "/").first.map(String.init) ?? ""
        let there = known.filter { $0.namespace == ns }.map(\.description).sorted()
        let hint = there.isEmpty ? "" : "; known in \(ns): " + there.prefix(8).joined(separator: ", ")
            + (there.count > 8 ? " …" : "")
        return PolicyInputs.Failure(description: "\(text): no such workload, pod or address (expected ns/name, "
                                    + "ns/name[Kind], ns/pod-name or an IP address)\(hint)")
    }
}
