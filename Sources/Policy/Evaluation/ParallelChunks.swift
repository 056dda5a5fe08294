import Dispatch

/// Runs `body` over `count` indexes split into chunks on all cores and returns the per-chunk results in order.
enum ParallelChunks {
    final class Slots<T>: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<T?>
        let count: Int
        init(_ count: Int) {
            self.count = count
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: nil, count: count)
        }
        deinit {
            pointer.deinitialize(count: count)
            pointer.deallocate()
        }
    }

    static func map<T: Sendable>(count: Int, minimumChunk: Int = 16,
                                 _ body: @Sendable (Range<Int>) -> T) -> [T] {
        if count == 0 { return [] }
        let cores = max(1, min(8, System.cores))
        let chunks = max(1, min(cores * 4, (count + minimumChunk - 1) / minimumChunk))
        let size = (count + chunks - 1) / chunks
        let slots = Slots<T>(chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size, hi = min(count, lo + size)
            slots.pointer[c] = body(lo..<max(lo, hi))
        }
        return (0..<chunks).map { slots.pointer[$0]! }
    }
}
