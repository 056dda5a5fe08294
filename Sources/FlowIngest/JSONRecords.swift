import Foundation
import FlowModel

/// Shared JSON handling for the JSON-lines readers: parsing one record, and pretty-printed records that span
/// several lines (a line holding only `{` or `[` opens one; it ends where its brackets balance). A record is held
/// in memory until it closes, up to `maxBytes` (the same bound as one line, `IngestDriver.maxLineBytes`): past
/// that its bytes are dropped as they come and the record is rejected when it closes (or at the end of input).
struct MultiLineJSON {
    static let maxBytes = 64 << 20

    let maxBytes: Int
    private(set) var buffer: [UInt8] = []
    private var active = false
    private var overflowed = false
    private var depth = 0
    private var inString = false
    private var escaped = false

    init(maxBytes: Int = MultiLineJSON.maxBytes) { self.maxBytes = maxBytes }

    var isActive: Bool { active }
    /// The record being read passed `maxBytes` (only meaningful while `isActive`).
    var isOverflowed: Bool { overflowed }

    enum Step {
        /// Not part of a multi-line record: parse the line on its own.
        case single
        case pending
        case complete([UInt8])
        /// A record longer than `maxBytes` ended; its bytes were not kept.
        case tooLarge
    }

    /// The rejection for a record that passed the bound.
    var tooLargeMessage: String {
        "a JSON object spanning lines is longer than \(maxBytes >> 20) MiB; skipped without holding it in memory"
    }

    mutating func feed(_ line: UnsafeRawBufferPointer) -> Step {
        if !active {
            guard Self.opensRecord(line) else { return .single }
            active = true
        }
        if !overflowed {
            if buffer.count + line.count + 1 > maxBytes {
                overflowed = true
                buffer = []
            } else {
                buffer.append(contentsOf: line)
                buffer.append(0x0A)
            }
        }
        for c in line {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == 0x22 {
                    inString = false
                }
                continue
            }
            switch c {
            case 0x22: inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        if depth <= 0 {
            let out = buffer
            let tooLarge = overflowed
            reset()
            return tooLarge ? .tooLarge : .complete(out)
        }
        return .pending
    }

    /// A line holding only `{` or `[` (and blanks). Checked without copying: it runs for every line.
    static func opensRecord(_ line: UnsafeRawBufferPointer) -> Bool {
        var bracket = false
        for c in line where c != 0x20 && c != 0x09 {
            guard !bracket, c == UInt8(ascii: "{") || c == UInt8(ascii: "[") else { return false }
            bracket = true
        }
        return bracket
    }

    mutating func reset() {
        buffer = []
        active = false
        overflowed = false
        depth = 0
        inString = false
        escaped = false
    }

    /// What a reader reports for a record still open at the end of the input (nil when none), resetting.
    mutating func finish() -> (field: String, message: String)? {
        guard active else { return nil }
        let message = overflowed ? tooLargeMessage
            : "input ended inside a JSON object (no closing brace); truncated?"
        reset()
        return ("", message)
    }
}

enum JSONRecord {
    /// Parses bytes as one JSON value; the error text says what is wrong.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<Any, JSONError> {
        do {
            let value = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
            if let key = JSONDuplicateKeys.first(in: bytes) {
                return .failure(JSONError(message: "key given twice; a record with duplicate keys is ambiguous, "
                                          + "so it is rejected", field: key))
            }
            return .success(value)
        } catch {
            let ns = error as NSError
            let why = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "parse error"
            return .failure(JSONError(message: "not valid JSON (\(why)); is the line truncated?"))
        }
    }

    static func parse(_ bytes: [UInt8]) -> Result<Any, JSONError> {
        bytes.withUnsafeBytes { parse($0) }
    }

    struct JSONError: Error {
        var message: String
        var field = ""
    }

    /// True for a JSON `true`/`false` (Foundation hands them out as NSNumber, and `as? Bool` also matches 0 and 1).
    static func isBool(_ v: Any?) -> Bool {
        guard let n = v as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    /// True for a JSON number written with a fraction or exponent (or too large for Int64).
    static func isFloating(_ v: Any?) -> Bool {
        guard let n = v as? NSNumber else { return false }
        let t = String(cString: n.objCType)
        return t == "d" || t == "f"
    }

    /// A JSON integer or numeric string as Int64 (nil for null, absent, a boolean, a fraction, or not a number):
    /// `true` is not port 1 and `80.5` is not port 80.
    static func int(_ v: Any?) -> Int64? {
        if isBool(v) || isFloating(v) { return nil }
        switch v {
        case let n as NSNumber:
            // An integer: exact, whatever its size (a double round trip would lose the low digits).
            if String(cString: n.objCType) == "Q" {
                return n.uint64Value <= UInt64(Int64.max) ? Int64(n.uint64Value) : nil
            }
            return n.int64Value
        case let s as String: return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// A JSON number or numeric string as Double.
    static func double(_ v: Any?) -> Double? {
        switch v {
        case let n as NSNumber:
            return n.doubleValue
        case let s as String: return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    static func isNull(_ v: Any?) -> Bool { v == nil || v is NSNull }
}

/// Times as the formats write them: RFC 3339 text, or Unix seconds (integer or fractional; values above 1e12 are
/// taken as milliseconds, above 1e15 as microseconds, above 1e18 as nanoseconds).
enum FlexibleTime {
    static func nanos(_ v: Any?) -> Int64? {
        if let s = v as? String {
            let t = s.trimmingCharacters(in: .whitespaces)
            if let ns = Timestamp.parseRFC3339(t) { return ns }
            guard let d = Double(t) else { return nil }
            return fromNumber(d)
        }
        guard let d = JSONRecord.double(v) else { return nil }
        return fromNumber(d)
    }

    static func nanos(text: Substring) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let ns = Timestamp.parseRFC3339(t) { return ns }
        guard let d = Double(t) else { return nil }
        return fromNumber(d)
    }

    static func fromNumber(_ d: Double) -> Int64? {
        guard d.isFinite, d >= 0 else { return nil }
        // Int64 nanoseconds end in 2262; a larger value is not a capture time (and Int64(_:) would trap).
        func ns(_ x: Double) -> Int64? { x < 9.2e18 ? Int64(x) : nil }
        if d >= 1e18 { return ns(d) }
        if d >= 1e15 { return ns(d * 1e3) }
        if d >= 1e12 { return ns(d * 1e6) }
        guard d < 1e11 else { return nil }
        let whole = d.rounded(.down)
        // Seconds past 9223372036 (year 2262) overflow Int64 nanoseconds: not a capture time.
        let (secs, o1) = Int64(whole).multipliedReportingOverflow(by: 1_000_000_000)
        let (total, o2) = secs.addingReportingOverflow(Int64(((d - whole) * 1e9).rounded()))
        return o1 || o2 ? nil : total
    }
}
