import Dispatch

/// An input's content hash computed on another thread while the reader parses. With SHA-256 on the SHA extensions
/// the hash is still about a third of a one-thread Hubble read (perf, 300 MB capture); here it runs on a serial
/// queue beside the parsing. The result is the same `ContentHash` of the same bytes in the same order: `value`
/// waits for every queued block.
///
/// Two ways in: `update` copies the bytes (1 MiB blocks, for bytes the caller overwrites at once: a gzip file's
/// raw buffer); `update(borrowing:)` hashes the caller's bytes where they are, without a copy and without
/// waiting, and the caller keeps them unchanged until `settle()` returns (the driver's line buffer: a plain file
/// is read straight into it, hashed there while both parsing threads read the same bytes, and settled before the
/// buffer is moved or reused). Before, every `update` waited for the block before it, so reading an 8 MiB chunk
/// waited for seven of its eight blocks to be hashed: the hash ran between two parses, not beside them.
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
    /// True while borrowed bytes may be in flight (`settle` waits only then).
    private var borrowed = false

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

    /// Adds bytes after those already given, hashed in place: they must stay as they are until `settle()` (or
    /// `value`) returns. Returns at once.
    func update(borrowing bytes: UnsafeRawBufferPointer) {
        guard bytes.baseAddress != nil, bytes.count > 0 else { return }
        flush()  // copied bytes given before these go first (the queue is serial)
        borrowed = true
        inFlight.enter()
        let b = UnsafeSendable(bytes)
        queue.async {
            self.state.update(b.value)
            self.inFlight.leave()
        }
    }

    /// Runs `work` on the hash's thread once every byte given so far is hashed, inside `group`. The driver puts
    /// the second parsing half there: two threads (one hashing, then parsing) on two cores, not three threads
    /// sharing them (a three-way split measured 2.81 s for the 2.1 GB capture against 2.19 s with one parser).
    func then(_ group: DispatchGroup, _ work: @escaping @Sendable () -> Void) {
        flush()
        queue.async(group: group, execute: work)
    }

    /// Waits until no borrowed bytes are being read (the caller may then change them).
    func settle() {
        guard borrowed else { return }
        inFlight.wait()
        borrowed = false
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
        borrowed = false
        return state
    }
}
