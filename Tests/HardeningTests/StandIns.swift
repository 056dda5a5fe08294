import Foundation

/// A temporary directory with stand-in `kubectl` and `hubble` executables (shell scripts printing fixture
/// JSON from the repository's samples) and `flowmap` on its PATH, for `collect` and the README's quick start.
struct StandIns {
    let dir: URL
    let bin: URL
    /// Every call of a stand-in, one line each: `kubectl get …`.
    var calls: [String] {
        ((try? String(contentsOf: dir.appendingPathComponent("calls.log"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    static let inventory = Binary.repoRoot.appendingPathComponent("samples/inventory/vpc-sample-cluster.json").path
    /// The captures `make demo` ingests.
    static var hubbleSamples: [String] {
        let root = Binary.repoRoot.appendingPathComponent("samples/hubble")
        let all = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }
        return all.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
            .map { root.appendingPathComponent($0).path }
    }

    /// `hubble` prints `hubbleBody` (shell) after logging its call; the default prints the demo samples and
    /// exits 0, as a relay that closes the stream would.
    init(kubectl: Bool = true, hubble: Bool = true, hubbleBody: String? = nil) throws {
        dir = Binary.tempDir()
        let bin = dir.appendingPathComponent("bin")
        self.bin = bin
        // `timeout` and the other tools the README's commands use.
        path = bin.path + ":/usr/bin:/bin"
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("calls.log").path
        func script(_ name: String, _ body: String) throws {
            let u = bin.appendingPathComponent(name)
            try "#!/bin/sh\necho \"\(name) $*\" >> '\(log)'\n\(body)\n".write(to: u, atomically: true, encoding: .utf8)
            chmod(u.path, 0o755)
        }
        if kubectl {
            // get prints the inventory; apply and delete only log (a cluster is not needed to walk the steps).
            try script("kubectl", """
                case "$*" in
                  *get*) cat '\(Self.inventory)' ;;
                  *apply*-k*) dir=$(echo "$*" | sed 's/.*-k //; s/ .*//'); test -f "$dir/kustomization.yaml" ;;
                esac
                """)
        }
        if hubble {
            try script("hubble", hubbleBody ?? Self.hubbleSamples.map { "cat '\($0)'" }.joined(separator: "\n"))
        }
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("flowmap").path,
                                                   withDestinationPath: Binary.flowmap)
    }

    let path: String

    /// Runs a shell command line in `dir` with the stand-ins first on PATH.
    func sh(_ command: String, env extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = path
        env["FLOWMAP_PROGRESS"] = nil
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes concurrently so a full one cannot stall the child.
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while reader.isExecuting || !reader.isFinished { usleep(1000) }
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
