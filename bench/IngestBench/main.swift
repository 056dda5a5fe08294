// ingest-bench: FlowIngest alone (read, parse, aggregate; no store) on one input, for `make bench`.
// usage: ingest-bench FILE [--threads N] [--format hubble|calico|vpc|flowmap-csv|flowmap-jsonl] [--legacy-hash]
#if canImport(Glibc)
import Glibc
#endif
import FlowIngest
import FlowModel
import Foundation

var args = Array(CommandLine.arguments.dropFirst())
var threads = 2
if let i = args.firstIndex(of: "--threads"), i + 1 < args.count {
    threads = Int(args[i + 1]) ?? 2
    args.removeSubrange(i...(i + 1))
}
// `--legacy-hash`: also compute the hash an earlier FlowMap stored, as `flowmap ingest` does only into a store that
// holds a source recorded under one (`FlowStore.hasLegacyContentHashes`); off by default, like an ingest into a
// new store.
var legacyHash = false
if let i = args.firstIndex(of: "--legacy-hash") {
    legacyHash = true
    args.remove(at: i)
}
var format = InputFormat.hubble
if let i = args.firstIndex(of: "--format"), i + 1 < args.count {
    guard let f = InputFormat(rawValue: args[i + 1]) else {
        print("unknown --format \(args[i + 1])")
        exit(2)
    }
    format = f
    args.removeSubrange(i...(i + 1))
}
guard let path = args.first else {
    print("usage: ingest-bench FILE [--threads N] [--format hubble|calico|vpc|flowmap-csv|flowmap-jsonl]")
    exit(2)
}
func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
let t0 = seconds()
var total = IngestCounts()
var edges = 0, l7 = 0
var issues = 0
var driver = IngestDriver(threads: threads, progress: .off)
driver.legacyHash = legacyHash
@MainActor func run<R: LineReader>(_ reader: R) throws {
    var reader = reader
    try driver.run(path: path, reader: &reader, onIssue: { _ in issues += 1 }) { chunk in
        total.add(chunk.counts)
        edges += chunk.batch.edges.count
        l7 += chunk.batch.l7.count
    }
}
switch format {
case .calico: try run(CalicoReader())
case .vpc: try run(VPCReader())
case .flowmapCSV: try run(FlowRecordReader(syntax: .csv))
case .flowmapJSONL: try run(FlowRecordReader(syntax: .jsonl))
default: try run(HubbleReader())
}
let dt = seconds() - t0
var ru = rusage()
getrusage(RUSAGE_SELF.rawValue, &ru)
let mb = Double(total.bytes) / 1e6
print("ingest-bench threads=\(threads) \(String(format: "%.1f", mb)) MB in \(String(format: "%.2f", dt)) s: "
      + "\(String(format: "%.0f", mb / dt)) MB/s, \(String(format: "%.0f", Double(total.accepted) / dt)) flows/s, "
      + "peak RSS \(ru.ru_maxrss / 1024) MB; lines \(total.lines) accepted \(total.accepted) replies \(total.replies) "
      + "skipped \(total.skipped) rejected \(total.rejected); edges \(edges) l7 \(l7)")
