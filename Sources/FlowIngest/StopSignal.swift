#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// SIGINT and SIGTERM while a stream is read (`ingest -`): the stream ends there as at the end of its input, so
/// the batch in progress is committed and the summary printed. Only the first signal is caught: a second one
/// ends the process the default way (a store commit never half-writes: SQLite rolls it back).
public enum StopSignal {
    private static let received = Atomic<Int32>(0)

    /// The signal that ended the stream, if one did.
    public static var caught: Int32? {
        let s = received.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    static var requested: Bool { received.load(ordering: .relaxed) != 0 }

    /// Catches SIGINT and SIGTERM (without SA_RESTART, so a blocked read returns) until `restore()`.
    public static func install() {
        received.store(0, ordering: .relaxed)
        for s in [SIGINT, SIGTERM] {
            var sa = sigaction()
            #if canImport(Glibc)
            sa.__sigaction_handler.sa_handler = { sig in
                StopSignal.received.store(sig, ordering: .relaxed)
                signal(sig, SIG_DFL)
            }
            #else
            sa.__sigaction_u.__sa_handler = { sig in
                StopSignal.received.store(sig, ordering: .relaxed)
                signal(sig, SIG_DFL)
            }
            #endif
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = 0
            sigaction(s, &sa, nil)
        }
        // A parent may start us with these blocked (Foundation's Process does): they would never arrive.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Back to the default dispositions.
    public static func restore() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// `SIGINT`, `SIGTERM`, or the number.
    public static func name(_ s: Int32) -> String {
        switch s {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(s)"
        }
    }
}
