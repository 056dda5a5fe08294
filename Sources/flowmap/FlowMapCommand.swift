#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import FlowMapKit

@main
struct FlowMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowmap",
        abstract: "Turn observed Kubernetes network flows into least-privilege NetworkPolicies.",
        discussion: "Exit status (every verb): 0 evaluated everything, no finding; 1 evaluated everything, a "
            + "finding; 2 could not evaluate (bad usage, unreadable or invalid input, nothing to evaluate, a failed write).",
        version: FlowMapVersion.current,
        subcommands: [CollectCommand.self, IngestCommand.self, GenerateCommand.self, DoctorCommand.self, CheckCommand.self, ConnectivityCommand.self,
                      ExplainCommand.self, DiffCommand.self, MapCommand.self, SummaryCommand.self, WatchCommand.self]
    )

    /// Parses and runs one verb, mapping every outcome through `ExitStatus`.
    static func main() {
        var code = ExitStatus.ok.rawValue
        if let m = UnknownVerb.message(Array(CommandLine.arguments.dropFirst())) {
            Console.error(m)
            code = ExitStatus.cannotEvaluate.rawValue
        } else { do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            code = ExitStatus.code(for: error)
        } }
        #if canImport(Glibc)
        Glibc.exit(ExitStatus.finish(code))
        #else
        Darwin.exit(ExitStatus.finish(code))
        #endif
    }
}
