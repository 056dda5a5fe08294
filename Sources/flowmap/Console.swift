#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// stdout for results, stderr for diagnostics.
enum Console {
    static func out(_ s: String) { print(s) }
    /// Live output (watch) goes out line by line even into a pipe.
    static func flush() { fflush(nil) }
    /// Now, not when the buffer fills: for a line that must come before the work that follows it.
    static func outNow(_ s: String) {
        print(s)
        fflush(stdout)
    }
    static func error(_ s: String) {
        let line = Array((s + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
