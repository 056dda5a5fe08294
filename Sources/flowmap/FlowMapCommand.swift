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
            + "finding; 2 could not evaluate (bad usage, unreadable or invalid input, nothing to evaluate, a failed "
            + "write). Every verb that prints a result has --output (-o) text or json (md, yaml where offered); "
            + "files are written with --out. docs/cli.md has the conventions and the JSON schemas.",
        version: FlowMapVersion.current,
        subcommands: [CollectCommand.self, IngestCommand.self, GenerateCommand.self, DoctorCommand.self, CheckCommand.self,
                      ConnectivityCommand.self, ExplainCommand.self, DiffCommand.self, MapCommand.self, SummaryCommand.self,
                      SourcesCommand.self, ForgetCommand.self, PruneCommand.self, ExportCommand.self,
                      RemapCommand.self, MergeCommand.self, WatchCommand.self]
    )

    /// Parses and runs one verb, mapping every outcome through `ExitStatus` (the only place that does).
    static func main() {
        func exit(_ code: Int32) -> Never {
            #if canImport(Glibc)
            Glibc.exit(ExitStatus.finish(code))
            #else
            Darwin.exit(ExitStatus.finish(code))
            #endif
        }
        let args = Array(CommandLine.arguments.dropFirst())
        var verb = "flowmap"
        var code = ExitStatus.ok.rawValue
        if let message = UnknownVerb.message(args) {
            Console.error(message)
            code = ExitStatus.cannotEvaluate.rawValue
        } else {
            do {
                var command: ParsableCommand
                do {
                    command = try parseAsRoot(args)
                } catch {
                    // A parse that failed for another reason while the line holds a mistyped option: the typo.
                    if let message = UnknownOption.message(args, error: error) {
                        Console.error(message)
                        exit(ExitStatus.cannotEvaluate.rawValue)
                    }
                    throw error
                }
                if let name = type(of: command).configuration.commandName, name != configuration.commandName {
                    verb = "flowmap \(name)"
                }
                try command.run()
            } catch {
                code = ExitStatus.code(for: error, verb: verb)
            }
        }
        exit(code)
    }
}
