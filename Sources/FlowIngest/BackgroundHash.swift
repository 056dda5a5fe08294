import Dispatch

/// An input's content hash computed on another thread while the reader parses. With SHA-256 on the SHA extensions
/// the hash is still about a third of a one-thread Hubble read (perf, 300 MB capture), and it ran on the reading
/// thread between two parses; here the bytes are copied (1 MiB at a time) and hashed by a serial queue, so the hash
/// overlaps the parsing. The result is the same `ContentHash` of the same bytes in the same order: `value` waits
/// for every queued block.
final class BackgroundHash: @unchecked Sendable {
    /// Touched by `queue` while a block is in flight, by the caller only after `inFlight.wait()`.
    private var state: ContentHash
    private let queue = DispatchQueue(label: "flowmap.input-hash")
    private let inFlight = DispatchGroup()
    private static let blockBytes = 1 << 20
    /// Bytes gathered for the next block.
    private var staging: UnsafeMutableRawPointer?
    private var filled = 0
    /// The block being hashed (`queue` reads it; the caller reuses it only after `inFlight.wait()`).
    private var hashing: UnsafeMutableRawPointer?
    private var hashingCount = 0

    init(_ start: ContentHash = ContentHash()) { state = start }

    deinit {
        inFlight.wait()
        staging?.deallocate()
        hashing?.deallocate()
    }

    /// Adds bytes after those already given (copied: the caller may overwrite `bytes` when this returns).
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let s = staging ?? {
                let a = UnsafeMutableRawPointer.allocate(byteCount: Self.blockBytes, alignment: 64)
                staging = a
                return a
            }()
            let n = min(Self.blockBytes - filled, left)
            (s + filled).copyMemory(from: p, byteCount: n)
            filled += n
            p += n
            left -= n
            if filled == Self.blockBytes { flush() }
        }
    }

    /// Queues the gathered bytes (after the block before them is done, whose buffer they then take).
    private func flush() {
        guard filled > 0 else { return }
        inFlight.wait()
        swap(&staging, &hashing)
        hashingCount = filled
        filled = 0
        inFlight.enter()
        queue.async {
            self.state.update(UnsafeRawBufferPointer(start: self.hashing, count: self.hashingCount))
            self.inFlight.leave()
        }
    }

    /// The hash of every byte given so far.
    var value: ContentHash {
        flush()
        inFlight.wait()
        return state
    }
}
