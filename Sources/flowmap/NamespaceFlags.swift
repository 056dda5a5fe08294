import ArgumentParser
import FlowMapKit

/// `-n/--namespace` (repeatable, completed from the store) and `-A/--all-namespaces` (no namespace filter, the
/// default; kubectl's spelling) for verbs that filter by namespace.
struct NamespaceFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "Only these namespaces (repeatable).",
            completion: .custom { words, _, _ in Completions.namespaces(db: NamespaceFlags.db(in: words)) })
    var namespace: [String] = []

    @Flag(name: [.customShort("A"), .long], help: "Every namespace (no --namespace filter; the default).")
    var allNamespaces = false

    func validate() throws {
        if allNamespaces && !namespace.isEmpty {
            throw ValidationError("-A/--all-namespaces and -n/--namespace \(namespace.joined(separator: ",")) "
                                  + "contradict each other; pass one of them")
        }
    }

    /// The `--db` value on the command line being completed, else the default store.
    static func db(in words: [String]) -> String {
        for (i, w) in words.enumerated() {
            if w == "--db", i + 1 < words.count { return words[i + 1] }
            if w.hasPrefix("--db=") { return String(w.dropFirst(5)) }
        }
        return StoreDefault.db
    }
}
