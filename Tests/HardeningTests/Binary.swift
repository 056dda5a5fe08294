import Foundation
import TestSupport

/// Runs the built `flowmap` executable as a user would (separate processes, signals).
enum Binary {
    static let repoRoot = Repository.root

    static var flowmap: String { Repository.flowmap }

    static func start(_ args: [String], stdin: FileHandle? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: flowmap)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        if let stdin { p.standardInput = stdin }
        try p.run()
        return p
    }

    /// Runs to completion; returns the exit status and stderr+stdout.
    static func run(_ args: [String]) throws -> (Int32, String) { try run(program: flowmap, args) }

    /// Runs any program to completion; returns the exit status and stderr+stdout.
    static func run(program: String, _ args: [String]) throws -> (Int32, String) {
        try ProcessRunner.run(program, args)
    }

    /// Runs to completion; returns the exit status, stdout and stderr apart.
    static func output(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ProcessRunner.output(flowmap, args)
    }

    static func tempDir() -> URL { Temporary.directory("flowmap-hard") }
}

/// Synthetic Hubble captures: deterministic, many workloads, forward flows only.
enum Synthetic {
    static func hubble(lines: Int, workloads: Int = 40, seed: UInt64 = 1) -> String {
        var rng = seed
        func next() -> UInt64 {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return rng >> 33
        }
        var out = ""
        out.reserveCapacity(lines * 700)
        for i in 0..<lines {
            let s = Int(next() % UInt64(workloads)), d = Int(next() % UInt64(workloads))
            let port = 8000 + d % 7
            let ns = "ns\(d % 4)", sns = "ns\(s % 4)"
            let sec = 10 + i / 1000
            out += """
                {"flow":{"time":"2024-03-01T00:\(String(format: "%02d", sec / 60 % 60)):\(String(format: "%02d", sec % 60)).\(String(format: "%09d", i))Z","verdict":"FORWARDED","IP":{"source":"10.1.0.\(s)","destination":"10.2.0.\(d)","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":\(40000 + i % 20000),"destination_port":\(port),"flags":{"SYN":true}}},"source":{"ID":\(s + 1),"identity":\(1000 + s),"namespace":"\(sns)","labels":["k8s:app=svc\(s)","k8s:io.kubernetes.pod.namespace=\(sns)"],"pod_name":"svc\(s)-7d4b9c8f6d-x7k2p","workloads":[{"name":"svc\(s)","kind":"Deployment"}]},"destination":{"ID":\(d + 1),"identity":\(1000 + d),"namespace":"\(ns)","labels":["k8s:app=svc\(d)","k8s:io.kubernetes.pod.namespace=\(ns)"],"pod_name":"svc\(d)-5f6d7c8b9d-q2w4z","workloads":[{"name":"svc\(d)","kind":"Deployment"}]},"Type":"L3_L4","node_name":"n1","is_reply":false,"traffic_direction":"EGRESS","trace_observation_point":"TO_STACK"},"node_name":"n1","time":"2024-03-01T00:00:00Z"}

                """
        }
        return out
    }
}
