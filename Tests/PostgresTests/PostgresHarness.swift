import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL server for the tests: initdb in a temporary directory (as the `postgres` system user when
/// the tests run as root, since initdb refuses root), started on a free loopback port with its Unix socket in that
/// directory, one database per test, stopped and deleted when the test process exits (also after a failure).
/// Without PostgreSQL's binaries it fails, naming the fix: nothing is skipped.
final class PostgresHarness: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The one server of this test process (started by the first test that asks).
    static let shared: Result<PostgresHarness, Failure> = {
        do { return .success(try PostgresHarness()) } catch let f as Failure { return .failure(f) } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    /// The server, or the test fails with the reason (e.g. "run make test (it installs postgresql)").
    static func server() throws -> PostgresHarness { try shared.get() }

    let bin: String
    let dir: URL
    let port: Int
    /// The system user the server runs as (nil: the tests' own user, when not root).
    let user: String?
    private let lock = NSLock()
    private var counter = 0

    /// Where initdb and pg_ctl are: PATH first, then Debian's /usr/lib/postgresql/<version>/bin (newest).
    static func findBinaries() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        // A directory with all three (a PATH entry may hold links to some of them only: resolve initdb's).
        let tools = ["initdb", "pg_ctl", "psql"]
        for d in path.split(separator: ":").map(String.init) where FileManager.default.isExecutableFile(atPath: d + "/initdb") {
            let real = URL(fileURLWithPath: d + "/initdb").resolvingSymlinksInPath().deletingLastPathComponent().path
            for candidate in [d, real] where tools.allSatisfy({ FileManager.default.isExecutableFile(atPath: candidate + "/" + $0) }) {
                return candidate
            }
        }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for v in versions {
            let d = "/usr/lib/postgresql/\(v)/bin"
            if tools.allSatisfy({ FileManager.default.isExecutableFile(atPath: d + "/" + $0) }) { return d }
        }
        return nil
    }

    private init() throws {
        guard let bin = Self.findBinaries() else {
            throw Failure(description: "no PostgreSQL binaries (initdb, pg_ctl, psql) on PATH or in "
                          + "/usr/lib/postgresql/*/bin: run make test (it installs postgresql)")
        }
        self.bin = bin
        Self.removeStale()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("flowmap-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try "\(getpid())\n".write(to: base.appendingPathComponent("owner.pid"), atomically: true, encoding: .utf8)
        dir = base
        if getuid() == 0 {
            if (try? Self.run("/usr/bin/id", ["-u", "postgres"]))?.status != 0 {
                let r = try Self.run("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"])
                guard r.status == 0 else { throw Failure(description: "cannot create the postgres user: \(r.output)") }
            }
            let r = try Self.run("/bin/chown", ["-R", "postgres", base.path])
            guard r.status == 0 else { throw Failure(description: "chown \(base.path): \(r.output)") }
            user = "postgres"
        } else {
            user = nil
        }
        port = try Self.freePort()
        Self.register(self)
        let data = base.appendingPathComponent("data").path
        let initdb = try asServerUser("\(bin)/initdb", ["-D", data, "-U", "flowmap", "--auth=trust", "--no-sync",
                                                         "-E", "UTF8", "--locale=C"])
        guard initdb.status == 0 else { throw Failure(description: "initdb failed: \(initdb.output)") }
        let options = "-p \(port) -k \(base.path) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            + "-c full_page_writes=off -c max_connections=100"
        let start = try asServerUser("\(bin)/pg_ctl", ["-D", data, "-o", options, "-l", base.appendingPathComponent("log").path,
                                                        "-w", "-t", "60", "start"])
        guard start.status == 0 else {
            let log = (try? String(contentsOf: base.appendingPathComponent("log"), encoding: .utf8)) ?? ""
            throw Failure(description: "pg_ctl start failed: \(start.output)\n\(log.suffix(2000))")
        }
    }

    /// A new, empty database; its connection string.
    func createDatabase() throws -> String {
        lock.lock()
        counter += 1
        let name = "t\(counter)_\(UUID().uuidString.prefix(8).lowercased())"
        lock.unlock()
        let r = try psql("postgres", "CREATE DATABASE \(name)")  // a name made here, not input
        guard r.status == 0 else { throw Failure(description: "CREATE DATABASE: \(r.output)") }
        return url(name)
    }

    func url(_ database: String) -> String { "postgresql://flowmap@127.0.0.1:\(port)/\(database)" }

    /// Runs SQL through psql on `database` (unaligned, tuples only).
    func psql(_ database: String, _ sql: String) throws -> (status: Int32, output: String) {
        try Self.run("\(bin)/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                     "-p", "\(port)", "-U", "flowmap", "-d", database, "-c", sql])
    }

    /// The database name of a connection string made by `url`.
    static func database(of url: String) -> String { String(url.split(separator: "/").last!) }

    func stop() {
        _ = try? asServerUser("\(bin)/pg_ctl", ["-D", dir.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: dir)
    }

    private func asServerUser(_ program: String, _ args: [String]) throws -> (status: Int32, output: String) {
        guard let user else { return try Self.run(program, args) }
        return try Self.run("/usr/sbin/runuser", ["-u", user, "--", program] + args)
    }

    /// Runs `program` to completion; its exit status and output (stdout and stderr, through a temporary file).
    /// posix_spawn and waitpid, not Foundation's Process: `pg_ctl start` leaves a daemon behind, and Process's
    /// exit monitoring was seen to miss the end of the `runuser` above it (a zombie, waited for forever).
    static func run(_ program: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("pgh-\(UUID().uuidString).out").path
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        Self.closeOnExec()
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(description: "cannot run \(program): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// Marks every descriptor above stderr close-on-exec. The server outlives this call and would otherwise
    /// keep other tests' pipes and listening sockets open: a Hubble read waiting for the end of its pipe hung the
    /// whole run. (glibc's posix_spawn_file_actions_addclosefrom_np is not exported to Swift; a descriptor opened
    /// by another thread between this and the spawn can still leak, which only the product's own
    /// `ClosingPipe` prevents for the pipes that matter.)
    static func closeOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Failure(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    // MARK: Stopping at exit

    nonisolated(unsafe) private static var started: [PostgresHarness] = []

    private static func register(_ h: PostgresHarness) {
        started.append(h)
        atexit { PostgresHarness.stopAll() }
    }

    static func stopAll() {
        for h in started { h.stop() }
        started = []
    }

    /// Servers left by test processes that died without running their exit handler (SIGKILL): stopped, deleted.
    private static func removeStale() {
        let tmp = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("flowmap-pg-") {
            let d = tmp.appendingPathComponent(name)
            guard let s = try? String(contentsOf: d.appendingPathComponent("owner.pid"), encoding: .utf8),
                  let pid = Int32(s.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) != 0 else { continue }
            let pidFile = d.appendingPathComponent("data/postmaster.pid")
            if let pm = try? String(contentsOf: pidFile, encoding: .utf8), let line = pm.split(separator: "\n").first,
               let server = Int32(line) {
                kill(server, SIGQUIT)
            }
            try? FileManager.default.removeItem(at: d)
        }
    }
}
