import ArgumentParser
import FlowMapKit

/// TLS to a Hubble server, the flags named as the `hubble` CLI names them (`ingest`, `watch`, `collect`).
struct HubbleTLSFlags: ParsableArguments {
    @Flag(help: "With --hubble: connect with TLS.")
    var tls = false

    @Option(parsing: .upToNextOption, help: ArgumentHelp("CA certificates (PEM) to verify the server with; default: "
                                                         + "the system's.", valueName: "files"))
    var tlsCaCertFiles: [String] = []

    @Option(help: ArgumentHelp("Client certificate (PEM) for mTLS.", valueName: "file"))
    var tlsClientCertFile: String?

    @Option(help: ArgumentHelp("Client key (PEM) for mTLS.", valueName: "file"))
    var tlsClientKeyFile: String?

    @Option(help: ArgumentHelp("The name the server's certificate must carry (and the SNI), e.g. "
                               + "ui.hubble-relay.cilium.io.", valueName: "name"))
    var tlsServerName: String?

    /// Whether any TLS flag was passed (they need --hubble).
    var given: Bool {
        tls || !tlsCaCertFiles.isEmpty || tlsClientCertFile != nil || tlsClientKeyFile != nil || tlsServerName != nil
    }

    var options: HubbleTLS {
        var t = HubbleTLS()
        t.enabled = tls
        t.caCertFiles = tlsCaCertFiles
        t.clientCertFile = tlsClientCertFile
        t.clientKeyFile = tlsClientKeyFile
        t.serverName = tlsServerName
        return t
    }
}
