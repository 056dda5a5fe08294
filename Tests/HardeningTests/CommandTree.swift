import Foundation

/// The CLI's real command tree, as the built binary describes it (`flowmap --experimental-dump-help`,
/// ArgumentParser's ToolInfo JSON): verbs, their options and flags, enum values. Tests walk it instead of
/// keeping their own list of verbs, so a new verb or option is covered without being added by hand.
struct CommandTree {
    struct Argument {
        enum Kind: String { case option, flag, positional }
        var kind: Kind
        /// `--db`, `-n` …: every spelling.
        var names: [String]
        var isOptional: Bool
        var isRepeating: Bool
        /// An enum's values (`--output`'s), empty for free text.
        var values: [String]
        var hidden: Bool
    }

    struct Verb {
        var name: String
        var arguments: [Argument]

        func argument(_ spelling: String) -> Argument? { arguments.first { $0.names.contains(spelling) } }
        var positionals: [Argument] { arguments.filter { $0.kind == .positional } }
        /// Required options (not flags, not positionals).
        var required: [Argument] { arguments.filter { $0.kind == .option && !$0.isOptional } }
    }

    var verbs: [Verb]

    func verb(_ name: String) -> Verb? { verbs.first { $0.name == name } }

    /// Reads the tree once per test process.
    static let shared: CommandTree = {
        do { return try load() } catch { fatalError("flowmap --experimental-dump-help: \(error)") }
    }()

    static func load() throws -> CommandTree {
        let dump = try Binary.output(["--experimental-dump-help"])
        guard dump.status == 0,
              let tree = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any],
              let root = tree["command"] as? [String: Any],
              let subcommands = root["subcommands"] as? [[String: Any]] else {
            throw CocoaError(.coderReadCorrupt)
        }
        var verbs: [Verb] = []
        for v in subcommands {
            guard let name = v["commandName"] as? String, name != "help" else { continue }  // help: ArgumentParser's
            let args = (v["arguments"] as? [[String: Any]] ?? []).compactMap { a -> Argument? in
                guard let kind = Argument.Kind(rawValue: a["kind"] as? String ?? "") else { return nil }
                let names = (a["names"] as? [[String: Any]] ?? []).compactMap { n -> String? in
                    guard let s = n["name"] as? String else { return nil }
                    return (n["kind"] as? String == "short" ? "-" : "--") + s
                }
                return Argument(kind: kind, names: names, isOptional: a["isOptional"] as? Bool ?? false,
                                isRepeating: a["isRepeating"] as? Bool ?? false,
                                values: a["allValues"] as? [String] ?? [],
                                hidden: !(a["shouldDisplay"] as? Bool ?? true))
            }
            verbs.append(Verb(name: name, arguments: args))
        }
        return CommandTree(verbs: verbs)
    }

    /// Why `words` (a command line after `flowmap`) does not parse with the tree, or nil when it does: the verb
    /// exists, every option is one of the verb's, an option that takes a value has one (an enum's among its
    /// values), no more positionals than the verb takes and every required option is there. It does not run
    /// anything (a README example may name files that do not exist).
    func problem(_ words: [String]) -> String? {
        guard let first = words.first else { return "no verb" }
        if first == "--help" || first == "--version" { return nil }
        guard let verb = verb(first) else { return "no verb '\(first)'" }
        var given = Set<String>()
        var positionals = 0
        var i = 1
        while i < words.count {
            var w = words[i]
            i += 1
            if w == "-" || !w.hasPrefix("-") { positionals += 1; continue }
            var inline: String?
            if w.hasPrefix("--"), let eq = w.firstIndex(of: "=") {
                inline = String(w[w.index(after: eq)...])
                w = String(w[..<eq])
            }
            guard let a = verb.argument(w) else { return "flowmap \(verb.name) has no option \(w)" }
            if a.hidden { return "\(w) is hidden (an old spelling the verb refuses with the new one)" }
            given.formUnion(a.names)
            if a.kind == .flag { continue }
            guard let value = inline ?? (i < words.count ? words[i] : nil) else { return "\(w) needs a value" }
            if inline == nil { i += 1 }
            if !a.values.isEmpty && !a.values.contains(value) {
                return "\(w) \(value): not one of \(a.values.joined(separator: ", "))"
            }
        }
        let takes = verb.positionals
        if !takes.contains(where: \.isRepeating) && positionals > takes.count {
            return "flowmap \(verb.name) takes \(takes.count) argument(s), got \(positionals)"
        }
        for r in verb.required where given.isDisjoint(with: r.names) {
            return "flowmap \(verb.name) needs \(r.names.last ?? "?")"
        }
        return nil
    }

    /// The simple commands of a shell line as words (`a | b && c` is three), quotes and backslashes removed;
    /// a comment ends the line, a redirection its command (`> file`, `2>&1` are not arguments).
    static func commands(_ line: String) -> [[String]] {
        var out: [[String]] = []
        var words: [String] = []
        var cur = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        var redirected = false
        func endWord() {
            if inWord && !redirected { words.append(cur) }
            cur = ""
            inWord = false
        }
        func endCommand() {
            endWord()
            if !words.isEmpty { out.append(words) }
            words = []
            redirected = false
        }
        for c in line {
            if escaped { cur.append(c); escaped = false; continue }
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"" { escaped = true } else { cur.append(c) }
                continue
            }
            switch c {
            case "'", "\"": quote = c; inWord = true
            case "\\": escaped = true; inWord = true
            case " ", "\t": endWord()
            case "#" where !inWord:
                endCommand()
                return out
            case "|", ";", "&": endCommand()
            case ">", "<":
                // `2>&1`: the descriptor number is part of the redirection.
                if inWord && cur.allSatisfy(\.isNumber) { cur = ""; inWord = false }
                endWord()
                redirected = true
            default: cur.append(c); inWord = true
            }
        }
        endCommand()
        return out
    }

    /// The flowmap invocations of a shell line: commands whose first word (after `VAR=value` assignments) is
    /// `flowmap`, as the words after it.
    static func flowmapCalls(_ line: String) -> [[String]] {
        commands(line).compactMap { words in
            // A synopsis's optional parts (`[--top 10]`) are read as given.
            let words = words.map { w in
                var w = Substring(w)
                if w.hasPrefix("[") { w = w.dropFirst() }
                if w.hasSuffix("]") { w = w.dropLast() }
                return String(w)
            }.filter { !$0.isEmpty }
            let rest = words.drop { $0.contains("=") && !$0.hasPrefix("-") }
            guard rest.first == "flowmap" else { return nil }
            return Array(rest.dropFirst())
        }
    }
}
