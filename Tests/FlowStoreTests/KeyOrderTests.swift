import Testing
import FlowModel
import TestSupport
@testable import FlowStore

/// SQLite inserts a batch's rows in ascending key order (`Value.keyOrder`), so a batch touches each B-tree page
/// about once. These tests hold the order to a plain stable sort, and check that a store is written in it.
@Suite("Key order")
struct KeyOrderTests {
    /// Rows of the edge tables' shape (two integers first) or of text keys, with many repeated leading pairs.
    static func rows(_ rng: inout SplitMix64, textFirst: Bool) -> [[Value]] {
        (0..<600).map { _ in
            let lead: [Value] = textFirst
                ? [.text(["b", "a", "ab", "é", ""][rng.int(below: 5)]), .int(Int64(rng.int(below: 3)))]
                : [.int(Int64(rng.int(below: 6)) - 2), .int(Int64(rng.int(below: 4)))]
            return lead + [.text(["tcp", "udp", "TCP"][rng.int(below: 3)]), .int(Int64(rng.int(below: 3))),
                           rng.chance(0.1) ? .null : .text(["allowed", "denied"][rng.int(below: 2)]),
                           .int(Int64(rng.int(below: 1000)))]
        }
    }

    /// The definition: indices sorted by the first `keys` values (`Value.precedes`), ties by position.
    static func reference(_ rows: [[Value]], keys: Int) -> [Int] {
        rows.indices.sorted { i, j in
            let a = Array(rows[i].prefix(keys)), b = Array(rows[j].prefix(keys))
            if Value.precedes(a, b) { return true }
            if Value.precedes(b, a) { return false }
            return i < j
        }
    }

    @Test("keyOrder is the stable sort on the key columns", arguments: [false, true])
    func stableSortOnKeys(textFirst: Bool) {
        var rng = SplitMix64(seed: textFirst ? 11 : 5)
        let rows = Self.rows(&rng, textFirst: textFirst)
        for keys in 1...6 {
            #expect(Value.keyOrder(rows, keys: keys) == Self.reference(rows, keys: keys), "keys \(keys)")
        }
        #expect(Value.keyOrder([], keys: 6).isEmpty)
    }

    @Test("a batch's endpoints get their ids in key order, whatever order the batch holds them in")
    func endpointIDsInKeyOrder() throws {
        var rng = SplitMix64(seed: 3)
        let store = try FlowStore(path: StoreSupport.newPath())
        var batch = IngestBatch()
        for i in 0..<200 {
            let src = Endpoint.workload(["zeta", "a", "shop"][i % 3], "w\(rng.int(below: 10_000))", kind: "Deployment")
            let dst = Endpoint.external("10.0.\(rng.int(below: 256)).\(i)")
            batch.edges[EdgeKey(source: src, destination: dst, proto: .tcp, port: 443, outcome: .allowed)] =
                EdgeStats(flows: 1, firstSeen: 10, lastSeen: 20)
        }
        _ = try store.write(batch, counts: IngestCounts(), path: "b", format: "test", contentHash: nil, now: 1)
        let q = try store.db.prepare("SELECT kind, namespace, name, workload_kind, cluster FROM endpoints ORDER BY id")
        var stored: [[Value]] = []
        while try q.step() { stored.append((0..<5).map { .text(q.text(Int32($0))) }) }
        #expect(stored.count == Set(batch.edges.keys.flatMap { [$0.source, $0.destination] }).count)
        #expect(zip(stored, stored.dropFirst()).allSatisfy { Value.precedes($0, $1) })
    }
}
