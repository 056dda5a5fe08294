/// Values numbered 0, 1, 2 … in the order they are first added: a value's id is its index in `values`. The one
/// lookup-or-add table behind the aggregator's endpoints, strings, L7 requests and point keys, and the Hubble
/// cache's cluster names (byte strings have their own, allocation-free `ByteInterner`).
struct InternTable<Value: Hashable> {
    private(set) var values: [Value] = []
    private var ids: [Value: Int32] = [:]

    init() {}

    init(minimumCapacity n: Int) {
        values.reserveCapacity(n)
        ids = [Value: Int32](minimumCapacity: n)
    }

    var count: Int { values.count }

    subscript(id: Int) -> Value { values[id] }

    /// The id of `value`, numbering it when it is new (`inserted`).
    @inline(__always)
    mutating func insert(_ value: Value) -> (id: Int32, inserted: Bool) {
        if let id = ids[value] { return (id, false) }
        let id = Int32(values.count)
        values.append(value)
        ids[value] = id
        return (id, true)
    }

    /// The id of `value`, numbering it when it is new.
    @inline(__always)
    mutating func id(_ value: Value) -> Int32 { insert(value).id }

    mutating func removeAll(keepingCapacity keep: Bool = false) {
        values.removeAll(keepingCapacity: keep)
        ids.removeAll(keepingCapacity: keep)
    }
}
