import ArgumentParser
import FlowMapKit

/// A first argument that is no verb (`flowmap ingst --db x`): ArgumentParser would blame the first option it
/// cannot place (`Unknown option '--db'`); the user mistyped the verb, so say that, with the closest ones.
enum UnknownVerb {
    static func message(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), first != "help" else { return nil }
        let verbs = Set(FlowMapCommand.configuration.subcommands.compactMap { $0.configuration.commandName })
        guard !verbs.contains(first) else { return nil }
        let close = CloseNames.suggest(first, among: verbs)
        var m = "error: unknown verb '\(first)'"
        if !close.isEmpty { m += "; did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?" }
        return m + "\nverbs: " + verbs.sorted().joined(separator: ", ") + " (flowmap --help)"
    }
}
