#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Dispatch
import FlowMapKit

/// SIGINT / SIGTERM as a readable descriptor: a stream reader polls it and ends cleanly (the last batch
/// committed, the summary printed) instead of the process dying mid-batch.
final class StopSignal {
    let readFD: Int32
    private let writeFD: Int32
    private var sources: [any DispatchSourceSignal] = []

    init() {
        guard case .success(let fds) = ClosingPipe.open() else {
            // No descriptor to poll: the signals keep their default action (the process stops at once).
            readFD = -1
            writeFD = -1
            return
        }
        readFD = fds.read
        writeFD = fds.write
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
