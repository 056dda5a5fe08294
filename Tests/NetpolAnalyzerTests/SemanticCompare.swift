import FlowModel
import Policy

/// Compares netpol-analyzer's entries with FlowMap's: workload pairs by name; external peers per (workload,
/// direction) on the common refinement of both sides' ranges (netpol-analyzer and FlowMap may cut the address
/// space differently and merge adjacent ranges differently; only the answer per address must agree).
enum SemanticCompare {
    enum Key: Hashable {
        case pair(String, String)
        case from(String)  // external -> workload
        case to(String)  // workload -> external
    }

    static func key(_ e: AnalyzerEntry) -> (Key, [IPRange])? {
        switch (e.source, e.destination) {
        case (.workload(let s), .workload(let d)): return (.pair(s, d), [])
        case (.ranges(let r), .workload(let d)): return (.from(d), r)
        case (.workload(let s), .ranges(let r)): return (.to(s), r)
        default: return nil
        }
    }

    /// One message per disagreement, naming the golden line (or FlowMap's line when the golden has none).
    static func disagreements(golden: [AnalyzerEntry], flowmap: [AnalyzerEntry]) -> [String] {
        var g: [Key: [(IPRange?, AnalyzerEntry)]] = [:], f: [Key: [(IPRange?, AnalyzerEntry)]] = [:]
        for (side, entries) in [(0, golden), (1, flowmap)] {
            for e in entries {
                guard let (k, ranges) = key(e) else { continue }
                let pieces: [(IPRange?, AnalyzerEntry)] = ranges.isEmpty ? [(nil, e)] : ranges.map { ($0, e) }
                if side == 0 { g[k, default: []] += pieces } else { f[k, default: []] += pieces }
            }
        }
        var out = Set<String>()
        for k in Set(g.keys).union(f.keys) {
            let a = g[k] ?? [], b = f[k] ?? []
            if case .pair = k {
                let x = a.first?.1, y = b.first?.1
                if x?.value != y?.value { out.insert(message(x, y)) }
                continue
            }
            // Elementary intervals between every boundary of both sides.
            var starts = Set<IPAddr>([IPRange.allV4.first])
            for (r, _) in a + b {
                guard let r else { continue }
                starts.insert(r.first)
                if let n = r.last.successor { starts.insert(n) }
                if r.first.isV6 { starts.insert(IPRange.allV6.first) }
            }
            for s in starts {
                let x = a.first { $0.0!.contains(s) }?.1, y = b.first { $0.0!.contains(s) }?.1
                if x?.value != y?.value { out.insert(message(x, y)) }
            }
        }
        return out.sorted()
    }

    static func message(_ golden: AnalyzerEntry?, _ flowmap: AnalyzerEntry?) -> String {
        switch (golden, flowmap) {
        case let (g?, f?): return "golden \(g.origin) — FlowMap: \(f.origin)"
        case let (g?, nil): return "golden \(g.origin) — FlowMap: nothing"
        case let (nil, f?): return "golden: nothing — FlowMap: \(f.origin)"
        default: return ""
        }
    }
}
