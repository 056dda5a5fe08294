#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe whose ends close on exec. A process started while it is open (kubectl or hubble for `collect`, any
/// child of a program embedding FlowMapKit) would otherwise inherit its write end, and the reader would not see
/// the end of input until that process exited: a Hubble read hung in `make test` because a PostgreSQL server
/// started by another test held the feed's pipe open.
public enum ClosingPipe {
    /// (read end, write end), or the errno text.
    public static func open() -> Result<(read: Int32, write: Int32), ClosingPipeError> {
        var fds: [Int32] = [-1, -1]
        // pipe2(O_CLOEXEC) would be atomic, but Glibc's Swift module does not export it; FlowMap starts no
        // process from another thread while it opens a pipe, so the moment between the two calls is harmless.
        guard pipe(&fds) == 0 else { return .failure(ClosingPipeError(errno: errno)) }
        for fd in fds where fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 {
            let e = errno
            close(fds[0])
            close(fds[1])
            return .failure(ClosingPipeError(errno: e))
        }
        return .success((fds[0], fds[1]))
    }
}

/// Why a pipe could not be made.
public struct ClosingPipeError: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "cannot create a pipe: \(String(cString: strerror(errno)))" }
}
