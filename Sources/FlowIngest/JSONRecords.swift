import Foundation
import FlowModel

/// Shared JSON handling for the JSON-lines readers: parsing one record, and pretty-printed records that span
/// several lines (a line holding only `{` or `[` opens one; it ends where its brackets balance).
struct MultiLineJSON {
    private(set) var buffer: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false

    var isActive: Bool { !buffer.isEmpty }

    enum Step {
        /// Not part of a multi-line record: parse the line on its own.
        case single
        case pending
        case complete([UInt8])
    }

    mutating func feed(_ line: UnsafeRawBufferPointer) -> Step {
        if !isActive {
            let trimmed = line.filter { $0 != 0x20 && $0 != 0x09 }
            guard trimmed == [UInt8(ascii: "{")] || trimmed == [UInt8(ascii: "[")] else { return .single }
        }
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
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
            reset()
            return .complete(out)
        }
        return .pending
    }

    mutating func reset() {
        buffer = []
        depth = 0
        inString = false
        escaped = false
    }
}

enum JSONRecord {
    /// Parses bytes as one JSON value; the error text says what is wrong.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<Any, JSONError> {
        do {
            return .success(try JSONSerialization.jsonObject(with: Data(bytes), options: []))
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
    }

    /// A JSON number or numeric string as Int64 (nil for null, absent, or not a number).
    static func int(_ v: Any?) -> Int64? {
        switch v {
        case let n as NSNumber:
            let d = n.doubleValue
            guard d.isFinite, d.rounded() == d, abs(d) < 9.2e18 else { return nil }
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
        return Int64(whole) * 1_000_000_000 + Int64(((d - whole) * 1e9).rounded())
    }
}
