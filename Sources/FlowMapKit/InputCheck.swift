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
        // control bytes in more than 1 of 20 bytes mean something else entirely, unless a complete line of
        // clean text is among them (a log with a damaged region: its good lines are kept, the bad ones located).
        let control = head.filter(isControl).count
        if control * 20 > n && !hasTextLine(head) { return .binary("\(control) control bytes in the first \(n)") }
        return .ok
    }

    static func isControl(_ b: UInt8) -> Bool { b < 0x20 && b != 0x0A && b != 0x0D && b != 0x09 }

    /// A complete line (newline-terminated) of at least 16 bytes of valid UTF-8 without control bytes: random
    /// or binary data practically never has one.
    static func hasTextLine(_ head: ArraySlice<UInt8>) -> Bool {
        var start = head.startIndex
        while let nl = head[start...].firstIndex(of: 0x0A) {
            let line = head[start..<nl]
            if line.count >= 16, !line.contains(where: isControl),
               String(validating: line, as: UTF8.self) != nil {
                return true
            }
            start = nl + 1
        }
        return false
    }
}