import Foundation
import Testing
import FlowMapKit
import HubbleLive
import GRPCNIOTransportHTTP2Posix
import HubbleAPI
import TestSupport

/// `--tls*` against a loopback server with a throwaway CA made by openssl in the test's temp dir.
@Suite("Hubble over gRPC with TLS", .serialized)
struct HubbleTLSTests {
    /// CA, a server certificate for `relay.hubble.test` and a client certificate, all signed by the CA.
    static func certificates(in dir: URL) throws -> URL {
        func openssl(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = args
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw HubbleFeedError("openssl \(args.joined(separator: " ")) failed") }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=test-ca"])
        try "subjectAltName=DNS:relay.hubble.test\n".write(to: dir.appendingPathComponent("server.ext"), atomically: true,
                                                         encoding: .utf8)
        try "subjectAltName=DNS:flowmap.client.test\n".write(to: dir.appendingPathComponent("client.ext"),
                                                           atomically: true, encoding: .utf8)
        for who in ["server", "client"] {
            try openssl(["req"] + ec + ["-keyout", "\(who).key", "-out", "\(who).csr", "-subj", "/CN=\(who)"])
            try openssl(["x509", "-req", "-in", "\(who).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", "\(who).pem", "-days", "1", "-extfile", "\(who).ext"])
        }
        return dir
    }

    /// A loopback server serving the samples that requires a client certificate signed by the test CA; `path`
    /// names the certificate files.
    static func mutualTLSServer() async throws
        -> (flows: [(line: String, message: Observer_GetFlowsResponse)], server: LoopbackServer,
            path: @Sendable (String) -> String) {
        let dir = try Self.certificates(in: LiveSupport.tempDir())
        let path: @Sendable (String) -> String = { dir.appendingPathComponent($0).path }
        let flows = try HubbleGRPCTests.sorted()
        let security = HTTP2ServerTransport.Posix.TransportSecurity.mTLS(
            certificateChain: [.file(path: path("server.pem"), format: .pem)],
            privateKey: .file(path: path("server.key"), format: .pem)) { c in
            c.trustRoots = .certificates([.file(path: path("ca.pem"), format: .pem)])
        }
        let server = try await LoopbackServer.start([FakeObserver(events: flows.map(\.message))], security: security)
        return (flows, server, path)
    }

    @Test("mTLS: --tls-ca-cert-files, --tls-client-cert-file/--tls-client-key-file and --tls-server-name read the flows; without the client certificate the server refuses")
    func mutualTLS() async throws {
        let (flows, server, path) = try await Self.mutualTLSServer()
        defer { server.stop() }

        var h = HubbleGRPCTests.options(server.address)
        h.tls.enabled = true
        h.tls.caCertFiles = [path("ca.pem")]
        h.tls.clientCertFile = path("client.pem")
        h.tls.clientKeyFile = path("client.key")
        h.tls.serverName = "relay.hubble.test"
        let ok = h
        let (_, feed) = try await onThread { try Live.ingest(ok, options: Ingest.Options(db: path("ok.db"))) { _ in } }
        #expect(feed.failures.isEmpty, "\(feed.notes)")
        #expect(feed.flows == Int64(flows.count))

        var noClient = h
        noClient.tls.clientCertFile = nil
        noClient.tls.clientKeyFile = nil
        noClient.maxAttempts = 2
        let refused = noClient
        let (_, denied) = try await onThread { try Live.ingest(refused, options: Ingest.Options(db: path("no.db"))) { _ in } }
        #expect(denied.flows == 0)
        #expect(denied.failures.count == 1)

        var wrongName = h
        wrongName.tls.serverName = "other.hubble.test"
        wrongName.maxAttempts = 2
        let wrong = wrongName
        let (_, mismatch) = try await onThread { try Live.ingest(wrong, options: Ingest.Options(db: path("w.db"))) { _ in } }
        #expect(mismatch.flows == 0)
        #expect(mismatch.failures.count == 1)
    }

    @Test("the binary's --tls flags as the hubble CLI names them reach the connection: ingest --hubble over mTLS stores every flow")
    func flags() async throws {
        let (flows, server, path) = try await Self.mutualTLSServer()
        defer { server.stop() }
        func ingest(_ name: String, db: String) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await onThread {
                try ProcessRunner.output(WatchCLITests.flowmap, [
                    "ingest", "--db", path(db), "--hubble", server.address, "-o", "json", "--tls",
                    "--tls-ca-cert-files", path("ca.pem"), "--tls-client-cert-file", path("client.pem"),
                    "--tls-client-key-file", path("client.key"), "--tls-server-name", name])
            }
        }
        let ok = try await ingest("relay.hubble.test", db: "ok.db")
        #expect(ok.status == 0, "\(ok.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any], "\(ok.stdout)")
        let totals = try #require(doc["totals"] as? [String: Any], "\(doc)")
        #expect(totals["accepted"] as? Int == flows.count, "\(totals)")
    }
}
