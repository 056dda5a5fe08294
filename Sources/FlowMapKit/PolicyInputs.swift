import FlowModel
import FlowStore
import Inference
import Policy

/// Loading for `check`, `connectivity` and `diff`: manifests paths, the store, and the store's generated set.
public enum PolicyInputs {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads manifests paths (files, folders, `-`).
    public static func manifests(_ paths: [String]) throws -> ManifestSet {
        do {
            return try ManifestReader.read(paths: paths)
        } catch let e as ManifestIssue {
            throw Failure(description: e.description)
        }
    }

    /// Store data for the inventory plus the observed edges.
    public static func store(_ db: String) throws -> (data: ClusterInventory.StoreData, edges: [ObservedEdge]) {
        let s = try Generate.openExisting(db)
        return (try storeData(s), try s.edges())
    }

    /// What the evaluator needs from a store besides its edges.
    public static func storeData(_ s: FlowStore) throws -> ClusterInventory.StoreData {
        ClusterInventory.StoreData(labelSets: try s.labelSets(), addresses: try s.addresses(),
                                   namespaceLabels: try s.namespaceLabels(), endpoints: try s.endpoints())
    }

    /// The policy set `flowmap generate` would write from the store, read back through the manifest reader.
    public static func generated(db: String, inference: InferenceOptions = InferenceOptions()) throws -> ManifestSet {
        let ev = try Generate.evidence(from: try Generate.openExisting(db))
        let plan = Inferrer(options: inference).infer(ev)
        let text = NetworkPolicyEmitter(options: EmitOptions()).stream(for: plan)
        return ManifestReader.parse(text: text, file: "<generated from \(db)>")
    }

    /// One line per rejected document, plus the skipped count.
    public static func describeIssues(_ set: ManifestSet) -> [String] {
        var out = set.issues.map { "invalid: \($0)" }
        if !set.issues.isEmpty {
            out.append("\(Set(set.issues.map { "\($0.file)#\($0.document)#\($0.object)" }).count) invalid object(s) left out")
        }
        if set.skippedCount > 0 {
            let kinds = set.skipped.keys.sorted().map { "\($0): \(set.skipped[$0]!)" }.joined(separator: ", ")
            out.append("skipped \(set.skippedCount) document(s) of other kinds (\(kinds))")
        }
        return out
    }
}
