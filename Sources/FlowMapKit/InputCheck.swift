#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A look at the start of a file before it is parsed, so that an empty or binary file gets one clear message
/// instead of nothing or a screen of per-line errors.
enum InputCheck {
    enum Verdict: Equatable {
        case ok
        /// Nothing to read (a note, not an error: rotated logs are often empty).
        case empty
        /// Not text: the reason says what it looks like.
        case binary(String)
    }

    static func look(at path: String) -> Verdict {
        guard path != "-" else { return .ok }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .ok }  // the reader reports open errors with their reason
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 8192)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 8192) }
        if n == 0 { return .empty }
        guard n > 0 else { return .ok }
        let head = buf[0..<n]
        if n >= 2 && head[0] == 0x1F && head[1] == 0x8B { return .ok }  // gzip: decompressed by the reader
        // Text flow logs are ASCII or UTF-8. A stray NUL in one line is that line's problem (reported by line);
        // control bytes in more than 1 of 20 bytes mean something else entirely.
        let control = head.filter { $0 < 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }.count
        if control * 20 > n { return .binary("\(control) control bytes in the first \(n)") }
        return .ok
    }
}
