import ArgumentParser
import FlowMapKit

@main
struct FlowMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowmap",
        abstract: "Turn observed Kubernetes network flows into least-privilege NetworkPolicies.",
        version: FlowMapVersion.current,
        subcommands: [IngestCommand.self, GenerateCommand.self, DoctorCommand.self, CheckCommand.self, ConnectivityCommand.self, DiffCommand.self,
                      MapCommand.self, SummaryCommand.self]
    )
}
