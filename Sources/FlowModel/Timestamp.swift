/// RFC 3339 timestamps as nanoseconds since the Unix epoch, without Foundation date formatters (slow, and
/// they drop nanoseconds).
public enum Timestamp {
    /// Parses `2021-06-16T16:52:13.136834446Z` or with a `+hh:mm` offset. Nil when malformed.
    public static func parseRFC3339(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { parseRFC3339(UnsafeRawBufferPointer($0)) }
    }

    public static func parseRFC3339(_ b: UnsafeRawBufferPointer) -> Int64? {
        func num(_ i: Int, _ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in i..<(i + n) {
                let c = b[k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let h = num(11, 2), b[13] == 58, let mi = num(14, 2),
              b[16] == 58, let sec = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count && b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            // Digits past the ninth (below a nanosecond) are read and dropped; `digits..<9` would trap for 10+.
            if digits < 9 { for _ in digits..<9 { nanos *= 10 } }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            guard let oh = num(i + 1, 2), b[i + 3] == 58, let om = num(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60 * (b[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(y, mo, d)
        let secs = days * 86400 + h * 3600 + mi * 60 + sec - offset
        // Nanoseconds in an Int64 cover 1677..2262; anything outside is not a real capture time.
        let (ns, overflow) = secs.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = ns.addingReportingOverflow(nanos)
        return overflow2 ? nil : total
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Formats nanoseconds since the epoch as `2021-06-16T16:52:13Z` (second precision, UTC).
    public static func format(_ ns: Int64) -> String {
        let secs = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        // Int64 nanoseconds span the years 1677-2262: always four digits. One allocation (this is called
        // for every rule of the evidence report), not one String per field.
        precondition(y >= 0 && y <= 9999)
        return String(unsafeUninitializedCapacity: 20) { b in
            func put(_ at: Int, _ v: Int64, _ width: Int) {
                var v = v
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    b[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                    v /= 10
                }
            }
            put(0, y, 4); b[4] = 0x2D; put(5, m, 2); b[7] = 0x2D; put(8, d, 2); b[10] = 0x54
            put(11, rem / 3600, 2); b[13] = 0x3A; put(14, rem % 3600 / 60, 2); b[16] = 0x3A; put(17, rem % 60, 2)
            b[19] = 0x5A
            return 20
        }
    }
}
