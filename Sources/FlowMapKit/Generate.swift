#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowModel
import FlowStore
import Inference
import Policy

/// `flowmap generate`: store -> inference -> YAML files.
public enum Generate {
    public struct Options: Sendable {
        public var db: String
        /// A directory, or `-` for stdout.
        public var out: String
        public var inference = InferenceOptions()
        public var emit = EmitOptions()
        public init(db: String, out: String) {
            self.db = db
            self.out = out
        }
    }

    public struct Report: Sendable {
        public var plan: PolicyPlan
        /// Edges in the store (all outcomes) that inference read.
        public var edgesRead: Int
        /// Files written (relative to the output directory), or empty for stdout.
        public var files: [String]
        /// The YAML stream when `out` is `-`.
        public var stream: String?
        /// Files an earlier run generated in the output directory that this run no longer writes, now removed.
        public var removed: [String] = []
        /// Documents written: each namespace's default-deny (when a direction was observed) and DNS baseline, and
        /// one allow policy per workload.
        public var policies: Int {
            plan.namespaces.reduce(plan.workloadCount) {
                $0 + ($1.hasDefaultDeny ? 1 : 0) + ($1.dnsBaseline.isEmpty ? 0 : 1)
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the store's evidence.
    /// From an ingested inventory: container ports per workload (for `--named-ports`), node addresses
    /// (`reserved:remote-node` becomes ipBlocks of every known node address, not only those seen in flows) and the
    /// apiserver's addresses (endpoints of the `default/kubernetes` Service, for `reserved:kube-apiserver`).
    public static func evidence(from store: FlowStore) throws -> Evidence {
        var addresses = try store.addresses()
        var containerPorts = [Endpoint: [NamedPort]]()
        let inv = try store.inventory()
        for p in inv.pods where p.workload.kind == .workload {
            for c in p.ports { containerPorts[p.workload, default: []].append(NamedPort(proto: c.proto, port: c.port, name: c.name)) }
        }
        // The `default/kubernetes` Service's endpoints are the apiserver's addresses.
        if let api = inv.services.first(where: { $0.namespace == "default" && $0.name == "kubernetes" }),
           !api.backendIPs.isEmpty {
            let ep = Endpoint.reserved("kube-apiserver")
            addresses[ep] = Set(api.backendIPs).union(addresses[ep] ?? []).sorted()
        }
        let nodeAddresses = Set(inv.nodes.values.joined())
        if !nodeAddresses.isEmpty {
            let remote = Endpoint.reserved("remote-node")
            addresses[remote] = nodeAddresses.union(addresses[remote] ?? []).sorted()
        }
        var ev = Evidence(edges: try store.edges(), l7: try store.l7(), labelSets: try store.labelSets(),
                          namespaceLabels: try store.namespaceLabels(), names: try store.names(),
                          addresses: addresses, containerPorts: containerPorts)
        for c in inv.controllers where c.usable { ev.controllerSelectors[c.workload] = c.selector }
        return ev
    }

    /// Opens an existing store (never creates one: a typo in --db should not look like "no traffic").
    public static func openExisting(_ db: String) throws -> FlowStore {
        try requireExisting(db)
        return try FlowStore(path: db)
    }

    /// The clear "no such store" message, before SQLite would create an empty file.
    public static func requireExisting(_ db: String) throws {
        guard access(db, F_OK) == 0 else {
            throw Failure(description: "\(db): no such store; run `flowmap ingest --db \(db) FILES` first")
        }
    }

    public static func plan(db: String, options: InferenceOptions) throws -> PolicyPlan {
        Inferrer(options: options).infer(try evidence(from: try openExisting(db)))
    }

    public static func run(_ o: Options) throws -> Report {
        let ev = try evidence(from: try openExisting(o.db))
        let plan = Inferrer(options: o.inference).infer(ev)
        let emitter = PolicyEmitter(options: o.emit)
        if o.out == "-" {
            return Report(plan: plan, edgesRead: ev.edges.count, files: [], stream: emitter.stream(for: plan))
        }
        let files = emitter.files(for: plan)
        let removed = try FileOutput.replaceGenerated(in: o.out, with: files, marker: PolicyEmitter.generatedMarker)
        return Report(plan: plan, edgesRead: ev.edges.count, files: files.map(\.name), stream: nil, removed: removed)
    }
}
