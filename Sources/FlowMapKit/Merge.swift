#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import FlowModel
import FlowStore
import Policy

/// `flowmap merge --db TARGET STORE…` (issue 18): folds per-node stores into TARGET exactly. Each input is
/// opened read-only and verified first; every source of it that TARGET does not hold arrives as its own source
/// (`FlowStore.absorb`, one transaction per input), so merging a store twice changes nothing. A damaged or
/// non-FlowMap input is refused with its path and the others are still merged; bucket widths that cannot fold
/// exactly refuse the whole merge before anything is written.
public enum Merge {
    /// What happened to one input.
    public struct InputReport: Sendable {
        public var path: String
        /// Set when the input was refused (nothing of it merged).
        public var error: String?
        /// The input's bucket width (nil when it could not be read).
        public var bucketWidth: Int64?
        public var absorbed = FlowStore.Absorbed()
        public var notes: [String] = []
    }

    public struct Report: Sendable {
        public var db: String
        /// The target's bucket width after the merge.
        public var bucketWidth: Int64
        public var inputs: [InputReport] = []
        public var added: Int { inputs.reduce(0) { $0 + $1.absorbed.added } }
        public var present: Int { inputs.reduce(0) { $0 + $1.absorbed.present } }
        public var refused: Int { inputs.filter { $0.error != nil }.count }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(db: String, inputs: [String]) throws -> Report {
        guard !inputs.isEmpty else {
            throw Failure(description: "nothing to merge: pass the stores to fold into --db \(db)")
        }
        let target = try FlowStore(path: db)
        var reports: [InputReport] = []
        var opened: [Int: FlowStore] = [:]
        for (i, path) in inputs.enumerated() {
            var r = InputReport(path: path)
            if sameFile(path, db) {
                r.error = "\(path): is the --db target itself; pass the stores to merge into it"
            } else {
                do {
                    guard access(path, F_OK) == 0 else { throw Failure(description: "\(path): no such store") }
                    let s = try FlowStore(path: path, verify: true, readOnly: true)
                    r.bucketWidth = try s.bucketWidth
                    opened[i] = s
                } catch {
                    r.error = "\(error)"
                }
            }
            reports.append(r)
        }
        // Widths first, for every input, so that a mismatch refuses the merge before anything is written.
        let widths = reports.compactMap(\.bucketWidth)
        var width = try target.bucketWidth
        let isNew = try target.sources().isEmpty
        if isNew, let widest = widths.max() { width = widest }
        for r in reports {
            guard let w = r.bucketWidth else { continue }
            guard FlowStore.foldsExactly(width: w, into: width) else {
                throw FlowStore.BucketWidthMismatch(input: r.path, inputWidth: w, target: db, targetWidth: width)
            }
        }
        if isNew { try target.useBucketWidth(width) }
        for i in reports.indices {
            guard let input = opened[i] else { continue }
            let contents: FlowStore.StoreContents
            do {
                contents = try input.mergeContents()
            } catch {
                reports[i].error = "\(error)"
                continue
            }
            opened[i] = nil
            reports[i].absorbed = try target.absorb(contents)
            reports[i].notes = reports[i].absorbed.notes
            if reports[i].absorbed.added > 0 {
                // As after an inventory ingest: flows kept unmapped (by this input or an earlier one) whose
                // addresses the merged inventory knows move to their workloads.
                let m = try Remap.run(target)
                if m.mapped > 0 {
                    reports[i].notes.append("mapped \(m.mapped) kept flow row(s) (\(m.flows) flow(s)) to workloads "
                                            + "the merged inventory knows")
                }
            }
        }
        return Report(db: db, bucketWidth: try target.bucketWidth, inputs: reports)
    }

    /// True when both paths name one existing file (a hard or symbolic link, another spelling of the path).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// One block per input (sources added and already present), then the totals.
    public static func text(_ r: Report) -> String {
        var out = ""
        for i in r.inputs {
            if let e = i.error {
                out += "\(i.path): refused: \(e)\n"
                continue
            }
            let a = i.absorbed
            out += "\(i.path): \(a.added) source(s) added, \(a.present) already present"
            if let w = a.foldedFrom {
                out += " (its \(RelativeTime.format(duration: w)) buckets folded into "
                    + "\(RelativeTime.format(duration: r.bucketWidth)) ones)"
            }
            out += "\n"
            for s in a.sources {
                if s.added {
                    out += "  added    \(s.id)  \(s.input.path)  \(s.input.format)\n"
                } else {
                    let other = s.presentAs.map { $0 == s.input.path ? "" : " (as \($0))" } ?? ""
                    out += "  present  \(s.id)  \(s.input.path)  \(s.input.format)\(other)\n"
                }
            }
            for n in i.notes { out += "  note: \(n)\n" }
        }
        out += "\(r.db): \(r.added) source(s) added, \(r.present) already present from \(r.inputs.count - r.refused) "
            + "store(s)" + (r.refused > 0 ? "; \(r.refused) store(s) refused" : "") + "\n"
        return out
    }

    /// `--output json`: `{"schema_version": 1, "verb": "merge", …}` (schema/merge.schema.json).
    public static func json(_ r: Report) -> String {
        let inputs = r.inputs.map { i in
            let a = i.absorbed
            return MergeJSON.Input(
                path: i.path, status: i.error == nil ? "merged" : "refused", error: OrNull(i.error),
                bucket_seconds: OrNull(i.bucketWidth.map { $0 / 1_000_000_000 }), folded_buckets: a.foldedFrom != nil,
                added: a.added, present: a.present, notes: i.notes,
                sources: a.sources.map { s in
                    MergeJSON.Source(input_id: s.input.id, id: s.id, path: s.input.path, format: s.input.format,
                                     status: s.added ? "added" : "present", present_as: OrNull(s.presentAs))
                })
        }
        return JSONText.document(verb: "merge", MergeJSON(
            db: r.db, bucket_seconds: r.bucketWidth / 1_000_000_000, added: r.added, present: r.present,
            refused: r.refused, inputs: inputs))
    }

    /// schema/merge.schema.json.
    struct MergeJSON: Encodable {
        struct Source: Encodable {
            var input_id, id: Int64
            var path, format, status: String
            var present_as: OrNull<String>
        }
        struct Input: Encodable {
            var path, status: String
            var error: OrNull<String>
            var bucket_seconds: OrNull<Int64>
            var folded_buckets: Bool
            var added, present: Int
            var notes: [String]
            var sources: [Source]
        }
        var db: String
        var bucket_seconds: Int64
        var added, present, refused: Int
        var inputs: [Input]
    }
}
