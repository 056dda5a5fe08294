#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Dispatch
import Foundation
import FlowIngest
import FlowModel
import FlowStore

/// `flowmap collect`: the quick start in one call. Runs `kubectl get … -o json` and ingests it as the inventory
/// (first, so the flows map to pods), then `hubble observe -o jsonpb --follow` for a duration into the store,
/// committed in batches; at the duration (or on Ctrl-C) the child is stopped and what it wrote is committed.
/// With `hubbleAddress` the flows come over Hubble's gRPC API instead (no `hubble` binary needed).
public enum Collect {
    public struct Options: Sendable {
        public var db: String
        /// Seconds of flows to collect.
        public var duration: Double
        /// kubectl's `--context`.
        public var context: String?
        /// `hubble observe --namespace` filters (the inventory is always of every namespace: peers elsewhere
        /// still map to pods). Each must be a namespace of the cluster's inventory.
        public var namespaces: [String] = []
        /// `hubble observe --server`.
        public var hubbleServer: String?
        /// `--hubble ADDR`: read Hubble's gRPC API at this address (Relay, `localhost:4245`) instead of running
        /// `hubble observe`.
        public var hubbleAddress: String?
        /// TLS for `hubbleAddress` (the `--tls*` flags).
        public var hubbleTLS = HubbleTLS()
        public var batchFlows = 200_000
        public var progress: IngestDriver.Progress = .auto
        /// Where kubectl and hubble are looked for (the `PATH` environment variable when nil).
        public var searchPath: String?
        public init(db: String, duration: Double) {
            self.db = db
            self.duration = duration
        }
    }

    public struct Report: Sendable {
        public var inventory: Ingest.Report
        public var flows: Ingest.Report
        /// The commands run, as shown to the user.
        public var commands: [String]
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func inventoryCommand(_ o: Options) -> [String] {
        ["kubectl"] + (o.context.map { ["--context", $0] } ?? [])
            + ["get", "namespaces,pods,services,endpointslices,nodes", "-A", "-o", "json"]
    }

    /// The gRPC read `--hubble` does instead of `hubbleCommand`: following, only flows with an end in the
    /// namespaces (one allowlist filter per end, as `hubble observe --namespace` builds them).
    public static func hubbleFeed(_ o: Options, address: String) -> HubbleFeedOptions {
        var h = HubbleFeedOptions(address: address)
        h.follow = true
        h.tls = o.hubbleTLS
        // Namespace names are checked against the cluster's first (DNS labels: nothing to escape in JSON).
        h.allowlist = o.namespaces.sorted().flatMap { ["{\"source_pod\":[\"\($0)/\"]}", "{\"destination_pod\":[\"\($0)/\"]}"] }
        return h
    }

    public static func hubbleCommand(_ o: Options) -> [String] {
        ["hubble", "observe", "-o", "jsonpb", "--follow"] + (o.hubbleServer.map { ["--server", $0] } ?? [])
            + o.namespaces.sorted().flatMap { ["--namespace", $0] }
    }

    /// What to install, per missing tool.
    static let installHints = [
        "kubectl": "install kubectl (https://kubernetes.io/docs/tasks/tools/) and point it at the cluster",
        "hubble": "install the Hubble CLI (https://docs.cilium.io/en/stable/observability/hubble/setup/) and "
            + "make Hubble Relay reachable (`cilium hubble port-forward &`)",
    ]

    /// Runs both commands. `onStage` tells the user what is about to happen (before it happens).
    public static func run(_ o: Options, onIssue: (InputIssue) -> Void, onStage: (String) -> Void,
                           onFormat: (String, FormatDetector.Detection) -> Void = { _, _ in }) throws -> Report {
        guard o.duration > 0 else { throw Failure(description: "--duration must be more than 0 (e.g. 30m)") }
        let search = o.searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var found: [String: String] = [:]
        var missing: [String] = []
        for tool in o.hubbleAddress == nil ? ["kubectl", "hubble"] : ["kubectl"] {
            if let p = executable(tool, in: search) { found[tool] = p } else { missing.append(tool) }
        }
        guard missing.isEmpty else {
            throw Failure(description: missing.map { "\($0) not found on PATH: \(installHints[$0]!)" }
                .joined(separator: "; ") + "; nothing was collected")
        }
        _ = try FlowStore(path: o.db)  // a store that cannot be used fails before the cluster is asked anything

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-collect-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let kubectl = inventoryCommand(o)
        let hubble = hubbleCommand(o)
        onStage("inventory: \(kubectl.joined(separator: " "))")
        let inventoryPath = dir.appendingPathComponent("inventory.json").path
        let status = try ChildProcess.run(found["kubectl"]!, kubectl, stdoutFile: inventoryPath)
        guard status == 0 else {
            throw Failure(description: "`\(kubectl.joined(separator: " "))` failed (\(ChildProcess.describe(status)); "
                          + "its message is above): check the context (`kubectl config current-context`, --context) "
                          + "and that you may list those kinds; nothing was collected")
        }
        // A `-n` the cluster does not have would capture nothing: said before any flow is read.
        if !o.namespaces.isEmpty {
            let inv = try InventoryReader.read(InventoryReader.load(path: inventoryPath)).inventory
            do {
                try NamespaceScope(Set(o.namespaces)).require(
                    known: NamespaceScope.known(named: inv.namespaces.keys, endpoints: inv.pods.map(\.workload)),
                    place: "the cluster (`\(kubectl.joined(separator: " "))`)")
            } catch let u as NamespaceScope.Unknown {
                throw Failure(description: u.description + "; nothing was collected")
            }
        }
        var options = Ingest.Options(db: o.db)
        options.format = .inventory
        let inventory = try Ingest.run(paths: [inventoryPath], options: options, onIssue: onIssue)
        if !inventory.failures.isEmpty {
            throw Failure(description: inventory.failures.joined(separator: "; ") + "; no flows were collected")
        }

        var flowOptions = Ingest.Options(db: o.db)
        flowOptions.format = .hubble
        flowOptions.batchFlows = o.batchFlows
        flowOptions.progress = o.progress
        if let address = o.hubbleAddress {
            let feedOptions = hubbleFeed(o, address: address)
            onStage("flows: Hubble gRPC at \(address) for \(Collect.format(duration: o.duration)); Ctrl-C stops early "
                    + "and keeps what was read")
            var (flows, feed) = try Live.withHubble(feedOptions, stopAfter: o.duration) { fd, name -> Ingest.Report in
                var f = flowOptions
                f.stdinDescriptor = fd
                f.stdinName = name
                return try Ingest.run(paths: ["-"], options: f, onIssue: onIssue, onFormat: onFormat)
            }
            flows.notes += Live.notes(feed)
            flows.failures += feed.failures
            return Report(inventory: inventory, flows: flows, commands: [
                kubectl.joined(separator: " "),
                "hubble gRPC \(address): observer.Observer/GetFlows follow"
                    + (feedOptions.allowlist.isEmpty ? "" : " allowlist " + feedOptions.allowlist.joined(separator: " ")),
            ])
        }

        onStage("flows: \(hubble.joined(separator: " ")) for \(Collect.format(duration: o.duration)); "
                + "Ctrl-C stops early and keeps what was read")
        let child = try ChildProcess.spawnPiped(found["hubble"]!, hubble)
        let started = Date()
        CollectStop.install(child)
        defer { CollectStop.remove() }
        DispatchQueue.global().asyncAfter(deadline: .now() + o.duration) { child.stop() }

        flowOptions.stdinDescriptor = child.output
        flowOptions.stdinName = "hubble observe"
        let flows: Ingest.Report
        do {
            flows = try Ingest.run(paths: ["-"], options: flowOptions, onIssue: onIssue, onFormat: onFormat)
        } catch {
            child.stop()
            _ = child.wait()
            throw error
        }
        // A stream's own SIGINT/SIGTERM handling (Ingest) replaces ours while it reads: it ends the read, so
        // the child is stopped here.
        if flows.stoppedBy != nil { child.stop() }
        let exit = child.wait()
        if !child.wasStopped && CollectStop.received == 0 && flows.stoppedBy == nil && exit != 0 {
            // It ended on its own before the duration: the cluster said no. What it wrote is stored.
            throw Failure(description: "`\(hubble.joined(separator: " "))` ended after "
                          + "\(Collect.format(duration: Date().timeIntervalSince(started))) "
                          + "(\(ChildProcess.describe(exit)); its message is above), before the duration: is Hubble "
                          + "Relay reachable (`cilium hubble port-forward &`, `hubble status`)? "
                          + "\(flows.total.accepted) flow(s) read before it ended are stored")
        }
        return Report(inventory: inventory, flows: flows, commands: [kubectl.joined(separator: " "),
                                                                      hubble.joined(separator: " ")])
    }

    /// The first executable file named `name` in the `:`-separated `search` path.
    static func executable(_ name: String, in search: String) -> String? {
        for dir in search.split(separator: ":") where !dir.isEmpty {
            let p = "\(dir)/\(name)"
            if access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    /// `1h30m`, `30m`, `45s`, `90` (seconds) as seconds; nil when it is none of those.
    public static func parse(duration text: String) -> Double? {
        if let s = Double(text), s > 0 { return s }
        var total = 0.0
        var number = ""
        for c in text {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let v = Double(number) else { return nil }
            switch c {
            case "h": total += v * 3600
            case "m": total += v * 60
            case "s": total += v
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && total > 0 ? total : nil
    }

    static func format(duration s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(t % 3600 / 60 > 0 ? "\(t % 3600 / 60)m" : "")" }
        if t >= 60 { return "\(t / 60)m\(t % 60 > 0 ? "\(t % 60)s" : "")" }
        return "\(t)s"
    }
}

/// A child process in its own process group (stopped as a group, so a wrapper script's children go too).
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// The read end of its stdout (spawnPiped).
    let output: Int32
    private let lock = NSLock()
    private var stopped = false
    private var reaped = false

    private init(pid: pid_t, output: Int32) {
        self.pid = pid
        self.output = output
    }

    var wasStopped: Bool { lock.withLock { stopped } }

    /// SIGTERM to the group, SIGKILL 5 s later if it is still there. Idempotent; nothing once reaped.
    func stop() {
        let first: Bool = lock.withLock {
            if reaped || stopped { return false }
            stopped = true
            return true
        }
        guard first else { return }
        kill(-pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [self] in
            lock.withLock { if !reaped { kill(-pid, SIGKILL) } }
        }
    }

    /// Waits for it to end; its wait status.
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lock.withLock { reaped = true }
        close(output)
        return status
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal != 0 { return "killed by signal \(signal)" }
        return "exit status \((status >> 8) & 0xFF)"
    }

    /// Runs `argv` with stdout into `stdoutFile` and waits; its wait status.
    static func run(_ path: String, _ argv: [String], stdoutFile: String) throws -> Int32 {
        var actions = ChildProcess.newActions()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let pid = try spawn(path, argv, actions: &actions, ownGroup: false)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// Starts `argv` with stdout into a pipe, in a process group of its own.
    static func spawnPiped(_ path: String, _ argv: [String]) throws -> ChildProcess {
        let fds: [Int32]
        switch ClosingPipe.open() {
        case .success(let p): fds = [p.read, p.write]
        case .failure(let e): throw Collect.Failure(description: e.description)
        }
        var actions = ChildProcess.newActions()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let pid: pid_t
        do {
            pid = try spawn(path, argv, actions: &actions, ownGroup: true)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])  // only the child writes: its end closing is the end of input
        return ChildProcess(pid: pid, output: fds[0])
    }

    #if os(Linux)
    typealias Actions = posix_spawn_file_actions_t
    static func newActions() -> Actions { posix_spawn_file_actions_t() }
    #else
    typealias Actions = posix_spawn_file_actions_t?
    static func newActions() -> Actions { nil }
    #endif

    private static func spawn(_ path: String, _ argv: [String], actions: inout Actions,
                              ownGroup: Bool) throws -> pid_t {
        #if os(Linux)
        var attr = posix_spawnattr_t()
        #else
        var attr: posix_spawnattr_t? = nil
        #endif
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        if ownGroup {
            posix_spawnattr_setpgroup(&attr, 0)
            posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        }
        let cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, cargs, environ)
        guard rc == 0 else {
            throw Collect.Failure(description: "cannot run \(path): \(String(cString: strerror(rc)))")
        }
        return pid
    }
}

/// Ctrl-C (SIGINT) and SIGTERM during collection stop the child instead of FlowMap, so what it wrote is
/// committed. The child runs in its own process group, so the terminal's Ctrl-C reaches only FlowMap.
enum CollectStop {
    // Plain values: a signal handler may only read and write those.
    nonisolated(unsafe) static var group: pid_t = 0
    nonisolated(unsafe) static var received: Int32 = 0

    static func install(_ c: ChildProcess) {
        received = 0
        group = c.pid
        signal(SIGINT) { s in CollectStop.received = s; if CollectStop.group > 0 { kill(-CollectStop.group, SIGTERM) } }
        signal(SIGTERM) { s in CollectStop.received = s; if CollectStop.group > 0 { kill(-CollectStop.group, SIGTERM) } }
    }

    static func remove() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        group = 0
    }
}
