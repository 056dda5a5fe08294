#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Dispatch

/// SIGINT / SIGTERM as a readable descriptor: a stream reader polls it and ends cleanly (the last batch
/// committed, the summary printed) instead of the process dying mid-batch.
final class StopSignal {
    let readFD: Int32
    private let writeFD: Int32
    private var sources: [any DispatchSourceSignal] = []

    init() {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        readFD = fds[0]
        writeFD = fds[1]
        let w = writeFD
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                var b: UInt8 = 1
                _ = write(w, &b, 1)
            }
            s.resume()
            sources.append(s)
        }
    }
}
