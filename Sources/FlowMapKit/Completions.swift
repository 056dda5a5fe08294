#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowStore

/// Values the shell completes from a store (`flowmap … -n <TAB>`): cheap reads, never an error (a completion
/// that fails offers nothing).
public enum Completions {
    /// The namespaces a store knows (of its workloads and its inventory), sorted; empty without a store.
    public static func namespaces(db: String) -> [String] {
        guard access(db, R_OK) == 0, let store = try? FlowStore(path: db, verify: false, readOnly: true) else { return [] }
        var names = Set((try? store.namespaceLabels().keys).map(Array.init) ?? [])
        for ep in (try? store.endpoints()) ?? [] where ep.kind == .workload { names.insert(ep.namespace) }
        return names.sorted()
    }
}
