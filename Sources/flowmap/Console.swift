#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// stdout for results, stderr for diagnostics.
enum Console {
    static func out(_ s: String) { print(s) }
    /// Live output (watch) goes out line by line even into a pipe.
    static func flush() { fflush(nil) }
    static func error(_ s: String) {
        let line = Array((s + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
