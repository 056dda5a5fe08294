import FlowModel

/// `-n/--namespace` (repeatable) as every verb applies it: empty means every namespace; a namespace the evidence
/// and inventory do not know is an error naming the closest known names (so a typo never silently selects
/// nothing). The one rule: each verb builds `known(...)` from what it read and calls `require`.
public struct NamespaceScope: Sendable, Equatable {
    public var namespaces: Set<String>

    public init(_ namespaces: Set<String> = []) { self.namespaces = namespaces }

    public var isAll: Bool { namespaces.isEmpty }

    /// A workload in one of the namespaces (every endpoint when unscoped).
    public func contains(_ e: Endpoint) -> Bool {
        namespaces.isEmpty || (e.kind == .workload && namespaces.contains(e.namespace))
    }

    /// A connection with an end in scope (into or out of the namespaces).
    public func touches(_ a: Endpoint, _ b: Endpoint) -> Bool { isAll || contains(a) || contains(b) }

    /// A `-n` name that is not known: the verb's error (exit 2), one line per name.
    public struct Unknown: Error, CustomStringConvertible, Sendable {
        public var lines: [String]
        public var description: String { lines.joined(separator: "\n") }
    }

    /// The namespaces a verb knows: those named by the inventory (Namespace objects, labelled namespaces) and
    /// those of every workload endpoint given (inventory workloads, both ends of observed edges).
    public static func known(named: some Sequence<String>, endpoints: some Sequence<Endpoint>) -> Set<String> {
        var known = Set(named)
        for e in endpoints where e.kind == .workload { known.insert(e.namespace) }
        return known
    }

    /// Throws `Unknown` unless every requested namespace is in `known` (nothing to check when unscoped).
    public func require(known: Set<String>, flag: String = "--namespace", place: String = "the store") throws {
        let lines = Self.problems(flag: flag, namespaces, known: known, place: place)
        if !lines.isEmpty { throw Unknown(lines: lines) }
    }

    /// One line per requested name `known` lacks: `--namespace shpo: no such namespace in the store (did you
    /// mean shop?); known: …`. `place` says where names were looked for.
    public static func problems(flag: String = "--namespace", _ requested: Set<String>, known: Set<String>,
                                place: String = "the store") -> [String] {
        requested.sorted().filter { !known.contains($0) }.map { n in
            let close = CloseNames.suggest(n, among: known)
            return "\(flag) \(n): no such namespace in \(place)"
                + (close.isEmpty ? "" : " (did you mean \(close.joined(separator: ", "))?)")
                + "; known: " + CloseNames.list(known)
        }
    }

    /// The scope as text for messages: `namespace shop`, `namespaces a, b`.
    public var text: String {
        (namespaces.count == 1 ? "namespace " : "namespaces ") + namespaces.sorted().joined(separator: ", ")
    }
}
