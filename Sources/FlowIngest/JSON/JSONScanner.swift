#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a JSON text was rejected, and where (byte offset into the scanned buffer).
/// Decoders also throw it for a well-formed value with the wrong meaning; `field` then names the JSON path.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    /// JSON path of a semantically wrong field; empty for syntax errors.
    public var field: String
    public init(offset: Int, message: String, field: String = "") {
        self.offset = offset
        self.message = message
        self.field = field
    }
    public var isSyntax: Bool { field.isEmpty }
    public var description: String { field.isEmpty ? "\(message) at byte \(offset + 1)" : "\(field): \(message)" }
}

/// A string value located in the scanned buffer: raw bytes between the quotes, not yet unescaped.
public struct JSONStringSpan: Sendable, Hashable {
    /// Offsets into the scanned buffer, excluding the quotes.
    public var start: Int
    public var end: Int
    /// True when the raw bytes contain a backslash escape (so they differ from the decoded value).
    public var hasEscapes: Bool
    public var count: Int { end - start }
}

/// A byte-level, allocation-free JSON (RFC 8259) scanner over one buffer. It validates everything it passes
/// over, including values it skips: string escapes and control characters, UTF-8 of non-ASCII bytes, number
/// grammar, literals, nesting (depth limit 512). Callers walk objects with `beginObject`/`nextKey`/`nextMember`
/// and either read a value or `skipValue()` it.
///
/// The scanner never reads outside `[base, base+count)`. It is a value type holding a raw pointer: the caller
/// keeps the buffer alive for the scanner's lifetime.
public struct JSONScanner {
    public let base: UnsafePointer<UInt8>
    public let count: Int
    public var pos: Int = 0
    public static let maxDepth = 512

    public init(_ buffer: UnsafeRawBufferPointer) {
        // An empty buffer may have a nil base address; point at a static byte so `base` is always valid.
        if let b = buffer.baseAddress {
            base = b.assumingMemoryBound(to: UInt8.self)
        } else {
            base = JSONScanner.emptyByte
        }
        count = buffer.count
    }

    nonisolated(unsafe) private static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    @inline(__always) func fail(_ message: String, at offset: Int? = nil) -> JSONError {
        JSONError(offset: offset ?? pos, message: message)
    }

    // MARK: - Whitespace and punctuation

    @inline(__always) public mutating func skipWhitespace() {
        while pos < count {
            let c = base[pos]
            // space, \n, \r, \t
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end.
    @inline(__always) public mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < count ? base[pos] : nil
    }

    @inline(__always) mutating func expect(_ c: UInt8, _ what: StaticString) throws(JSONError) {
        skipWhitespace()
        guard pos < count else { throw fail("unexpected end of input, expected \(what)") }
        guard base[pos] == c else { throw fail("expected \(what), found \(describe(base[pos]))") }
        pos += 1
    }

    func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16)
    }

    /// Checks that only whitespace remains.
    public mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if pos < count { throw fail("unexpected \(describe(base[pos])) after the JSON value") }
    }

    // MARK: - Objects and arrays

    /// Consumes `{`. Returns false when the object is empty (the `}` is consumed too).
    @inline(__always) public mutating func beginObject() throws(JSONError) -> Bool {
        try expect(0x7B, "'{'")
        skipWhitespace()
        if pos < count && base[pos] == 0x7D {
            pos += 1
            return false
        }
        return true
    }

    /// Reads a member key and its `:`. Call after `beginObject` returned true or `nextMember` returned true.
    @inline(__always) public mutating func nextKey() throws(JSONError) -> JSONStringSpan {
        skipWhitespace()
        guard pos < count, base[pos] == 0x22 else {
            if pos >= count { throw fail("unexpected end of input, expected an object key") }
            throw fail("expected a string key, found \(describe(base[pos]))")
        }
        let k = try scanString()
        try expect(0x3A, "':'")
        return k
    }

    /// After a member value: consumes `,` (returns true, another member follows) or `}` (returns false).
    @inline(__always) public mutating func nextMember() throws(JSONError) -> Bool {
        skipWhitespace()
        guard pos < count else { throw fail("unexpected end of input inside an object") }
        let c = base[pos]
        pos += 1
        if c == 0x2C { return true }
        if c == 0x7D { return false }
        pos -= 1
        throw fail("expected ',' or '}' in an object, found \(describe(c))")
    }

    /// Consumes `[`. Returns false when the array is empty.
    @inline(__always) public mutating func beginArray() throws(JSONError) -> Bool {
        try expect(0x5B, "'['")
        skipWhitespace()
        if pos < count && base[pos] == 0x5D {
            pos += 1
            return false
        }
        return true
    }

    /// After an element: consumes `,` (true) or `]` (false).
    @inline(__always) public mutating func nextElement() throws(JSONError) -> Bool {
        skipWhitespace()
        guard pos < count else { throw fail("unexpected end of input inside an array") }
        let c = base[pos]
        pos += 1
        if c == 0x2C { return true }
        if c == 0x5D { return false }
        pos -= 1
        throw fail("expected ',' or ']' in an array, found \(describe(c))")
    }

    // MARK: - Strings

    /// Scans a string starting at the opening quote (after whitespace); validates it and returns its raw span.
    public mutating func scanString() throws(JSONError) -> JSONStringSpan {
        skipWhitespace()
        guard pos < count, base[pos] == 0x22 else {
            if pos >= count { throw fail("unexpected end of input, expected a string") }
            throw fail("expected a string, found \(describe(base[pos]))")
        }
        pos += 1
        let start = pos
        var escapes = false
        var i = pos
        let n = count
        let b = base
        while true {
            // 8 bytes at a time: stop at '"', '\\', a control byte or a non-ASCII byte.
            while i &+ 8 <= n {
                let w = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
                let q = w ^ 0x2222_2222_2222_2222
                let s = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let m = ((q &- 0x0101_0101_0101_0101) & ~q) | ((s &- 0x0101_0101_0101_0101) & ~s)
                    | ((w &- 0x2020_2020_2020_2020) & ~w) | w
                let hit = m & 0x8080_8080_8080_8080
                if hit != 0 {
                    i &+= hit.trailingZeroBitCount >> 3
                    break
                }
                i &+= 8
            }
            guard i < n else { pos = i; throw fail("unterminated string", at: start - 1) }
            let c = b[i]
            if c == 0x22 {
                pos = i + 1
                return JSONStringSpan(start: start, end: i, hasEscapes: escapes)
            } else if c == 0x5C {
                escapes = true
                guard i + 1 < n else { pos = i; throw fail("unterminated string", at: start - 1) }
                switch b[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
                case 0x75:
                    guard i + 6 <= n, hex4(i + 2) != nil else { pos = i; throw fail("invalid \\u escape") }
                    i += 6
                default:
                    pos = i
                    throw fail("invalid escape '\\\(describe(b[i + 1]))'")
                }
            } else if c < 0x20 {
                pos = i
                throw fail("control character \(describe(c)) in a string (must be escaped)")
            } else if c >= 0x80 {
                guard let len = utf8SequenceLength(at: i) else { pos = i; throw fail("invalid UTF-8 in a string") }
                i += len
            } else {
                i += 1  // reached by the byte-at-a-time tail
            }
        }
    }

    /// The value of 4 hex digits at `at`, or nil.
    @inline(__always) func hex4(_ at: Int) -> UInt16? {
        var v: UInt16 = 0
        for k in 0..<4 {
            let c = base[at + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    /// Length of the well-formed UTF-8 sequence at `i` (first byte >= 0x80), or nil (RFC 3629: no overlongs,
    /// no surrogates, nothing above U+10FFFF).
    func utf8SequenceLength(at i: Int) -> Int? {
        let c0 = base[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < count && base[i + k] >= lo && base[i + k] <= hi
        }
        switch c0 {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : nil
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }

    /// The raw bytes of a span.
    @inline(__always) public func bytes(_ s: JSONStringSpan) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + s.start, count: s.count)
    }

    /// True when the span's decoded value equals `literal` (ASCII). Escaped spans are decoded first.
    @inline(__always) public func spanEquals(_ s: JSONStringSpan, _ literal: StaticString) -> Bool {
        if s.hasEscapes { return string(s) == literal.description }
        guard s.count == literal.utf8CodeUnitCount else { return false }
        return memcmpEq(base + s.start, literal.utf8Start, s.count)
    }

    /// Decodes a span into a String (escapes resolved; a lone surrogate becomes U+FFFD).
    public func string(_ s: JSONStringSpan) -> String {
        let raw = UnsafeBufferPointer(start: base + s.start, count: s.count)
        if !s.hasEscapes { return String(decoding: raw, as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(s.count)
        var i = s.start
        func put(_ scalar: UInt32) {
            let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: UTF8.encode(u)!)
        }
        while i < s.end {
            let c = base[i]
            if c != 0x5C {
                out.append(c)
                i += 1
                continue
            }
            let e = base[i + 1]
            i += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                let u = UInt32(hex4(i)!)
                i += 4
                if u >= 0xD800 && u < 0xDC00 {
                    // High surrogate: combine with a following \uDC00-\uDFFF.
                    if i + 6 <= s.end, base[i] == 0x5C, base[i + 1] == 0x75, let lo = hex4(i + 2),
                       lo >= 0xDC00, lo < 0xE000 {
                        i += 6
                        put(0x10000 + ((u - 0xD800) << 10) + (UInt32(lo) - 0xDC00))
                    } else {
                        put(0xFFFD)
                    }
                } else if u >= 0xDC00 && u < 0xE000 {
                    put(0xFFFD)
                } else {
                    put(u)
                }
            default: out.append(e)  // " \ /
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a string value.
    @inline(__always) public mutating func readString() throws(JSONError) -> String {
        string(try scanString())
    }

    // MARK: - Numbers and literals

    /// Scans a number (RFC 8259 grammar) and returns its byte range.
    public mutating func scanNumber() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = pos
        var i = pos
        let n = count
        if i < n && base[i] == 0x2D { i += 1 }
        guard i < n, base[i] >= 0x30, base[i] <= 0x39 else {
            pos = i
            throw fail(i < n ? "invalid number" : "unexpected end of input in a number")
        }
        if base[i] == 0x30 {
            i += 1
        } else {
            while i < n, base[i] >= 0x30, base[i] <= 0x39 { i += 1 }
        }
        if i < n && base[i] == 0x2E {
            i += 1
            guard i < n, base[i] >= 0x30, base[i] <= 0x39 else { pos = i; throw fail("invalid number: digit expected after '.'") }
            while i < n, base[i] >= 0x30, base[i] <= 0x39 { i += 1 }
        }
        if i < n && (base[i] == 0x65 || base[i] == 0x45) {
            i += 1
            if i < n && (base[i] == 0x2B || base[i] == 0x2D) { i += 1 }
            guard i < n, base[i] >= 0x30, base[i] <= 0x39 else { pos = i; throw fail("invalid number: digit expected in exponent") }
            while i < n, base[i] >= 0x30, base[i] <= 0x39 { i += 1 }
        }
        pos = i
        return start..<i
    }

    /// Integer value of a number range when it is a plain integer that fits in Int64; nil otherwise.
    public func integer(_ r: Range<Int>) -> Int64? {
        var i = r.lowerBound
        var neg = false
        if base[i] == 0x2D { neg = true; i += 1 }
        var v: Int64 = 0
        while i < r.upperBound {
            let c = base[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return neg ? -v : v
    }

    /// Reads an integer, accepting both a JSON number and a decimal string (protojson encodes 64-bit integers
    /// as strings). Nil when the value is neither or out of Int64 range; the value is consumed either way.
    public mutating func readInteger() throws(JSONError) -> Int64? {
        guard let c = peek() else { throw fail("unexpected end of input, expected a value") }
        if c == 0x22 {
            let s = try scanString()
            guard !s.hasEscapes, s.count > 0 else { return nil }
            return integer(s.start..<s.end)
        }
        if c == 0x2D || (c >= 0x30 && c <= 0x39) { return integer(try scanNumber()) }
        try skipValue()
        return nil
    }

    /// Reads `true`/`false`; returns nil (value consumed) for `null` or any other type.
    public mutating func readBool() throws(JSONError) -> Bool? {
        guard let c = peek() else { throw fail("unexpected end of input, expected a value") }
        if c == 0x74 { try literal("true"); return true }
        if c == 0x66 { try literal("false"); return false }
        try skipValue()
        return nil
    }

    @inline(__always) mutating func literal(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= count, memcmp(base + pos, word.utf8Start, n) == 0 else {
            throw fail("invalid literal (expected \(word))")
        }
        pos += n
    }

    // MARK: - Skipping

    /// Skips one value of any type, validating it.
    public mutating func skipValue() throws(JSONError) {
        try skipValue(depth: 0)
    }

    mutating func skipValue(depth: Int) throws(JSONError) {
        skipWhitespace()
        guard pos < count else { throw fail("unexpected end of input, expected a value") }
        switch base[pos] {
        case 0x22: _ = try scanString()
        case 0x7B:
            guard depth < JSONScanner.maxDepth else { throw fail("nesting deeper than \(JSONScanner.maxDepth)") }
            if try beginObject() {
                repeat {
                    _ = try nextKey()
                    try skipValue(depth: depth + 1)
                } while try nextMember()
            }
        case 0x5B:
            guard depth < JSONScanner.maxDepth else { throw fail("nesting deeper than \(JSONScanner.maxDepth)") }
            if try beginArray() {
                repeat { try skipValue(depth: depth + 1) } while try nextElement()
            }
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        case 0x2D, 0x30...0x39: _ = try scanNumber()
        default: throw fail("unexpected \(describe(base[pos])), expected a value")
        }
    }

    /// Finds the end of the object or array starting at `pos` by structure alone (strings and brackets), without
    /// validating anything, and returns its byte range; nil when the input ends first. Used only where the bytes
    /// are then looked up in a cache of previously validated values, or validated with `skipValue`.
    public mutating func skipStructureUnvalidated() -> Range<Int>? {
        skipWhitespace()
        let start = pos
        var i = pos
        let n = count
        let b = base
        var depth = 0
        while i < n {
            let c = b[i]
            if c == 0x22 {
                i += 1
                // Inside a string: find the closing quote, stepping over escapes.
                while true {
                    while i &+ 8 <= n {
                        let w = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
                        let q = w ^ 0x2222_2222_2222_2222
                        let s = w ^ 0x5C5C_5C5C_5C5C_5C5C
                        let hit = (((q &- 0x0101_0101_0101_0101) & ~q) | ((s &- 0x0101_0101_0101_0101) & ~s))
                            & 0x8080_8080_8080_8080
                        if hit != 0 {
                            i &+= hit.trailingZeroBitCount >> 3
                            break
                        }
                        i &+= 8
                    }
                    guard i < n else { return nil }
                    let d = b[i]
                    if d == 0x22 { break }
                    i += d == 0x5C ? 2 : 1
                }
            } else if c == 0x7B || c == 0x5B {
                depth += 1
            } else if c == 0x7D || c == 0x5D {
                depth -= 1
                if depth <= 0 {
                    pos = i + 1
                    return start..<(i + 1)
                }
            }
            i += 1
        }
        return nil
    }

    /// Skips a value and returns the byte range it occupied (without surrounding whitespace).
    public mutating func skipValueRange() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = pos
        try skipValue(depth: 0)
        return start..<pos
    }
}
