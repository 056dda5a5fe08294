import Foundation
import FlowIngest
import FlowModel
import FlowStore
import Policy

/// `flowmap watch`: shadow mode. Reads a live stream into a store batch by batch (as `ingest -` does) and, after
/// each batch, replays the connections the stream has shown against the policy set with `check`'s evaluation
/// (`Check.Evaluation`, `PolicyCheck.run`): a connection the set would block is reported the first time it is seen,
/// then its growing count periodically, and everything in a summary at the end.
public enum Watch {
    public struct Options: Sendable {
        public var policies: [String]
        /// The store the stream is also ingested into; nil: a temporary one, removed at the end.
        public var db: String?
        public var evaluator = EvaluatorOptions()
        public var accept = PolicyInputs.Acceptance()
        public var format: InputFormat = .auto
        public var batchFlows = 200_000
        /// A batch (and its evaluation) is committed at least this often while flows arrive.
        public var batchSeconds = 1.0
        /// Connections already reported whose count grew are reported again at most this often.
        public var updateSeconds = 10.0
        /// See `IngestDriver.stopDescriptor`: a byte written there ends the watch (SIGINT, SIGTERM).
        public var stopDescriptor: Int32 = -1
        /// What `-` reads, and the name it is reported as (a Hubble feed reads through a pipe).
        public var stdinDescriptor: Int32 = 0
        public var streamName: String?
        public init(policies: [String], db: String? = nil) {
            self.policies = policies
            self.db = db
        }
    }

    /// What the watch tells as it goes.
    public enum Event: Sendable, Equatable {
        /// A connection the set would block, the first time it is seen.
        case blocked(PolicyCheck.Item)
        /// A connection with an end the inventory does not know: not evaluated (the first time it is seen).
        case unresolved(PolicyCheck.Item)
        /// A blocked connection seen again since its last report: its count now, and then.
        case update(PolicyCheck.Item, previousFlows: Int64)
    }

    public struct Summary: Sendable {
        public var counts = IngestCounts()
        /// `check`'s report over the connections this stream showed.
        public var report = PolicyCheck.Report()
        public var policies = 0
        public var workloads = 0
        public var caveats = EvaluationCaveats()
        /// Stderr lines: what was skipped or ignored in the policy set.
        public var notes: [String] = []
        /// The stream's name and the format it was read as.
        public var source = ""
        public var format: InputFormat = .auto

        public var context: CheckFormatter.Context {
            CheckFormatter.Context(policies: policies, workloads: workloads, caveats: caveats)
        }
    }

    /// Loads the policy set (refusing what `check` refuses) and opens the store; `run` then reads.
    public static func prepare(_ o: Options) throws -> Session {
        let loaded = try PolicyInputs.load(o.policies, accept: o.accept, requirePolicies: true)
        return try Session(options: o, loaded: loaded)
    }

    /// The state between batches: the store, the evaluator (rebuilt when the store learns labels, addresses or
    /// names), and what was reported.
    public final class Session {
        public var options: Options
        let loaded: PolicyInputs.Loaded
        let store: FlowStore
        let temporary: URL?
        /// Flows per edge before the watch began (a `--db` with earlier evidence): only what the stream adds is
        /// reported, over the store's whole inventory.
        let baseline: [EdgeKey: Int64]
        /// The same for each edge's L7 requests (a Cilium L7 rule's verdict counts requests, not L4 flows).
        let l7Baseline: [EdgeKey: [L7Request: Int64]]
        var evaluation: Check.Evaluation?
        var evaluatedData: (labels: [Endpoint: [Labels]], addresses: [Endpoint: [String]],
                            namespaces: [String: Labels], endpoints: [Endpoint], names: [IPAddr: [String]])?
        /// Flows of each reported connection when it was last reported.
        var reported: [ItemKey: Int64] = [:]
        var unresolvedSeen: Set<ItemKey> = []
        var lastUpdate = 0.0
        public private(set) var summary = Summary()
        /// Called after each batch is committed and evaluated, with the summary so far (progress, tests).
        public var onBatch: ((Summary) -> Void)?

        struct ItemKey: Hashable {
            var source: String, destination: String, proto: String, port: Int, note: String
            init(_ i: PolicyCheck.Item) {
                source = i.source
                destination = i.destination
                proto = i.proto
                port = i.port
                note = i.note
            }
        }

        init(options: Options, loaded: PolicyInputs.Loaded) throws {
            self.options = options
            self.loaded = loaded
            if let db = options.db {
                store = try FlowStore(path: db)
                temporary = nil
            } else {
                let dir = FileManager.default.temporaryDirectory
                    .appendingPathComponent("flowmap-watch-\(getpid())-\(UInt32.random(in: 0 ... .max))")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                temporary = dir
                store = try FlowStore(path: dir.appendingPathComponent("watch.db").path)
            }
            var base: [EdgeKey: Int64] = [:]
            for e in try store.edges() { base[e.key] = e.stats.flows }
            baseline = base
            var l7Base: [EdgeKey: [L7Request: Int64]] = [:]
            for (k, obs) in try store.l7() {
                for o in obs { l7Base[k, default: [:]][o.request, default: 0] += o.stats.flows }
            }
            l7Baseline = l7Base
            summary.notes = loaded.notes
            summary.caveats = loaded.caveats
            summary.policies = loaded.manifests.evaluatedPolicyCount
        }

        deinit {
            if let t = temporary { try? FileManager.default.removeItem(at: t) }
        }

        /// Reads `path` (`-`: `options.stdinDescriptor`) to its end or until stopped, committing and evaluating
        /// batch by batch; `onEvent` gets what to tell, in order. Returns the summary.
        public func run(path: String, onIssue: (InputIssue) -> Void, onEvent: (Event) -> Void) throws -> Summary {
            let inventory = try store.inventory()
            let book: AddressBook? = inventory.pods.isEmpty && inventory.services.isEmpty ? nil : AddressBook(inventory)
            var driver = IngestDriver(batchFlows: options.batchFlows, batchSeconds: options.batchSeconds,
                                      progress: .off)
            driver.listening = FlowAggregator.ListeningPort.declared(by: inventory)
            driver.stdinDescriptor = options.stdinDescriptor
            if let n = options.streamName { driver.stdinName = n }
            driver.stopDescriptor = options.stopDescriptor
            summary.source = path == "-" ? options.streamName ?? "<stdin>" : path
            let format = path == "-" || IngestDriver.isStream(path: path) || options.format != .auto
                ? options.format : try FormatChoice.resolve(.auto, path: path).0
            guard format != .inventory else {
                throw PolicyInputs.Failure(description: "\(summary.source): watch reads flows, not an inventory; "
                                           + "ingest it first (`flowmap ingest --db D FILE`) and pass --db D")
            }
            let read = try Ingest.read(path: path, format: format, book: book, driver: driver, onIssue: onIssue) {
                chunk, name in
                _ = try store.write(chunk.batch, counts: chunk.counts, path: summary.source, format: name,
                                    contentHash: nil, now: Clock.nowNanos())
                summary.counts.add(chunk.counts)
                for e in try evaluate(final: chunk.isFinal) { onEvent(e) }
                onBatch?(summary)
            }
            summary.format = read?.format ?? format
            return summary
        }

        /// Replays the connections the stream has shown so far; the events not told yet.
        func evaluate(final: Bool) throws -> [Event] {
            let data = try PolicyInputs.data(store)
            let evidence = try PolicyInputs.l7Evidence(store)
            if evaluation == nil || evaluatedData.map({ $0.labels != data.labelSets || $0.addresses != data.addresses
                || $0.namespaces != data.namespaceLabels || $0.endpoints != data.endpoints
                || $0.names != evidence.names }) ?? true {
                let e = Check.Evaluation(manifests: loaded.manifests, data: data, edges: [], options: options.evaluator,
                                         dnsNames: evidence.names)
                evaluation = e
                evaluatedData = (data.labelSets, data.addresses, data.namespaceLabels, data.endpoints, evidence.names)
                summary.workloads = Set(e.inventory.workloads.map(\.endpoint)).count
            }
            guard let e = evaluation else { return [] }
            var edges: [ObservedEdge] = []
            for var edge in try store.edges() {
                let before = baseline[edge.key] ?? 0
                guard edge.stats.flows > before else { continue }
                edge.stats.flows -= before
                edges.append(edge)
            }
            var l7 = evidence.l7
            for (k, before) in l7Baseline {
                guard let obs = l7[k] else { continue }
                l7[k] = obs.compactMap { o in
                    var o = o
                    o.stats.flows -= before[o.request] ?? 0
                    return o.stats.flows > 0 ? o : nil
                }
            }
            let report = PolicyCheck.run(e.evaluator, edges: edges, addresses: data.addresses,
                                         connections: data.connectionAddresses, l7: l7)
            summary.report = report
            var events: [Event] = []
            for i in report.unresolved where unresolvedSeen.insert(ItemKey(i)).inserted {
                events.append(.unresolved(i))
            }
            let now = ProcessInfo.processInfo.systemUptime
            let dueUpdate = final || now - lastUpdate >= options.updateSeconds
            for i in report.denied {
                let k = ItemKey(i)
                guard let before = reported[k] else {
                    reported[k] = i.flows
                    events.append(.blocked(i))
                    continue
                }
                if dueUpdate && i.flows > before {
                    reported[k] = i.flows
                    events.append(.update(i, previousFlows: before))
                }
            }
            if dueUpdate { lastUpdate = now }
            return events
        }
    }
}
