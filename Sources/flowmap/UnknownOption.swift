import ArgumentParser
import FlowMapKit

/// A mistyped option next to a missing required one (`flowmap collect --duraton 30m`): ArgumentParser reports
/// the missing `--duration` (or a verb's own validation, `diff`'s path count) and never mentions `--duraton`, so
/// the user looks for the wrong mistake. When parsing failed for another reason and the line holds a long option
/// the verb does not have, this names that option instead, with the closest spellings.
enum UnknownOption {
    /// The message to print instead of ArgumentParser's, or nil to keep its own.
    static func message(_ arguments: [String], error: Error) -> String? {
        // Help requests and ArgumentParser's own unknown-option message (which names it already) stay.
        guard FlowMapCommand.exitCode(for: error) == .validationFailure,
              !FlowMapCommand.message(for: error).hasPrefix("Unknown option"),
              let name = arguments.first,
              let verb = FlowMapCommand.configuration.subcommands.first(where: { $0.configuration.commandName == name })
        else { return nil }
        let known = spellings(of: verb)
        // Words after `--` are positionals; a value that happens to start with `--` after an option is rare
        // enough (and then the option is reported, which is still a real problem of the line).
        let given = arguments.dropFirst().prefix { $0 != "--" }.filter { $0.hasPrefix("--") && $0.count > 2 }
            .map { String($0.split(separator: "=", maxSplits: 1)[0]) }
        let unknown = given.filter { !known.contains($0) }
        guard !unknown.isEmpty else { return nil }
        let lines = unknown.map { u -> String in
            let close = CloseNames.suggest(u, among: known.filter { $0.hasPrefix("--") })
            return "flowmap \(name): error: unknown option '\(u)'"
                + (close.isEmpty ? "" : "; did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?")
        }
        return (lines + ["Usage: \(FlowMapCommand.usageString(for: verb))",
                         "  See 'flowmap \(name) --help' for more information."]).joined(separator: "\n")
    }

    /// Every `--long` and `-s` spelling the verb's help shows, hidden options included (`map --format`).
    static func spellings(of verb: ParsableCommand.Type) -> Set<String> {
        let help = FlowMapCommand.helpMessage(for: verb, includeHidden: true, columns: 100_000)
        var out: Set<String> = ["--help", "--version"]
        for raw in help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "/" || $0 == "(" || $0 == ")" }) {
            let word = raw.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if word.hasPrefix("--") && word.count > 2 || word.hasPrefix("-") && word.count == 2 && word != "--" {
                out.insert(String(word))
            }
        }
        return out
    }
}
