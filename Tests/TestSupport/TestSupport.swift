import Foundation

// Shared by every test target (and PolicyBench): the seeded generator, the process runner, temporary directories
// and stores, and the repository / fixture paths. Foundation only (no Testing), so a benchmark can use it too.

/// SplitMix64: a small deterministic generator, so a random case reproduces exactly from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }
    public init(seed: UInt64) { self.state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    /// Uniform in `r`.
    public mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &self) }
    /// `next() % n`: cheap, slightly biased; for benchmarks' shapes, not for statistics.
    public mutating func int(below n: Int) -> Int { Int(next() % UInt64(n)) }
    /// One element of a non-empty array.
    public mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &self)] }
}

/// Paths in the checkout, found from this file (tests read their fixtures by path, not as SwiftPM resources).
public enum Repository {
    /// The repository root (this file is Tests/TestSupport/TestSupport.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A path below the root.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// `Tests/<target>/Fixtures`, or a path below it.
    public static func fixtures(_ target: String, _ relative: String = "") -> URL {
        let dir = root.appendingPathComponent("Tests/\(target)/Fixtures")
        return relative.isEmpty ? dir : dir.appendingPathComponent(relative)
    }

    /// The Hubble samples kept in the repository (samples/hubble, see SOURCES.md there), sorted.
    public static var hubbleSamples: [URL] {
        let dir = root.appendingPathComponent("samples/hubble")
        let e = FileManager.default.enumerator(atPath: dir.path)!
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
            .map { dir.appendingPathComponent($0) }
    }

    /// The flowmap executable next to the test bundle (the same build), else the repository's debug build: what
    /// tests that run the binary as a user would (HardeningTests, stream crashes, `watch`, the fleet) start.
    public static var flowmap: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("flowmap").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/flowmap").path
    }

    /// The Python venv made by `make venv` (FLOWMAP_VENV, else .venv in the repository).
    public static var venv: URL {
        if let v = ProcessInfo.processInfo.environment["FLOWMAP_VENV"] { return URL(fileURLWithPath: v) }
        return root.appendingPathComponent(".venv")
    }
}

/// Fresh temporary directories and stores; each call makes a new one (never shared between tests).
public enum Temporary {
    /// A new empty directory named `<prefix>-<uuid>` under the system temporary directory.
    public static func directory(_ prefix: String = "flowmap-test") -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// The path of a store that does not exist yet, in a new directory.
    public static func store(_ prefix: String = "flowmap-test", name: String = "s.db") -> String {
        directory(prefix).appendingPathComponent(name).path
    }
}

/// Runs programs to completion.
public enum ProcessRunner {
    /// Where the child's stderr goes.
    public enum Stderr: Sendable {
        /// Into the same pipe as stdout (one combined text).
        case merged
        /// To /dev/null (Chromium is chatty there).
        case discarded
    }

    /// Exit status and stdout (with stderr when `.merged`). `stdin` is written and closed; without it the child
    /// reads /dev/null when `stderr` is `.discarded`, else inherits this process's stdin.
    public static func run(_ exe: String, _ args: [String], stdin: String? = nil,
                           stderr: Stderr = .merged) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        switch stderr {
        case .merged: p.standardError = out
        case .discarded: p.standardError = FileHandle.nullDevice
        }
        let inPipe = Pipe()
        if stdin != nil { p.standardInput = inPipe } else if stderr == .discarded { p.standardInput = FileHandle.nullDevice }
        try p.run()
        if let s = stdin {
            inPipe.fileHandleForWriting.write(Data(s.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Exit status, stdout and stderr apart (stderr must be small: stdout is read to its end first).
    public static func output(_ exe: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// The first executable `name` on PATH (and /usr/bin, /usr/local/bin, /bin), or nil.
    public static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/bin:/usr/local/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
