import FlowModel

/// `--dedupe-window D`: drops flow events already stored (or read earlier in the same input) with the same time,
/// source and destination address and endpoint, ports, protocol and observation point, so that piping an
/// overlapping `hubble observe --since` again does not double a count. Only events within D of the newest one are
/// remembered: an overlap longer than D is counted again.
public final class FlowDedupe: @unchecked Sendable {
    public let window: Int64
    private var seen: [SeenFlow.Key: Int64] = [:]
    private var added: [SeenFlow] = []
    /// The newest event time seen (stored or read).
    public private(set) var newest: Int64 = .min
    /// Events dropped as already seen.
    public private(set) var dropped: Int64 = 0

    /// `stored`: what the store remembers (`FlowStore.seenFlows`).
    public init(window: Int64, stored: [SeenFlow]) {
        self.window = window
        for s in stored {
            seen[s.key] = s.time
            newest = max(newest, s.time)
        }
    }

    /// True when the event is new (and now remembered), false when it was seen before.
    func admit(_ key: SeenFlow.Key, time: Int64) -> Bool {
        if seen[key] != nil {
            dropped += 1
            return false
        }
        seen[key] = time
        added.append(SeenFlow(key: key, time: time))
        if time > newest { newest = time }
        return true
    }

    /// The events remembered since the last call, for the store; forgets those older than the window.
    func drain() -> [SeenFlow] {
        defer { added.removeAll() }
        if newest > .min + window, seen.count > 4096 {
            let floor = newest - window
            seen = seen.filter { $0.value >= floor }
        }
        return added
    }

    /// The key of one event: SHA-256 over its parts, the first 128 bits.
    static func key(time: Int64, source: Endpoint, destination: Endpoint, addresses: String, proto: Proto,
                    sourcePort: UInt16, port: UInt16, point: String) -> SeenFlow.Key {
        var h = SHA256()
        var fixed = [UInt8]()
        fixed.reserveCapacity(16)
        for i in 0..<8 { fixed.append(UInt8(truncatingIfNeeded: UInt64(bitPattern: time) >> (8 * UInt64(i)))) }
        fixed += [UInt8(truncatingIfNeeded: sourcePort), UInt8(sourcePort >> 8), UInt8(truncatingIfNeeded: port),
                  UInt8(port >> 8)]
        h.update(fixed)
        // Separated by a byte no key or address holds.
        for s in [source.key, destination.key, addresses, proto.rawValue, point] {
            h.update(Array(s.utf8) + [0])
        }
        let d = h.digest
        var a: UInt64 = 0, b: UInt64 = 0
        for i in 0..<8 {
            a = a << 8 | UInt64(d[i])
            b = b << 8 | UInt64(d[8 + i])
        }
        return SeenFlow.Key(a: Int64(bitPattern: a), b: Int64(bitPattern: b))
    }
}
