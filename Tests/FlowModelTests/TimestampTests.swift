import Testing
@testable import FlowModel

@Suite("Timestamp")
struct TimestampTests {
    @Test("RFC 3339 with nanoseconds, fractions and offsets")
    func parses() {
        #expect(Timestamp.parseRFC3339("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parseRFC3339("2021-06-16T16:52:13.136834446Z") == 1_623_862_333_136_834_446)
        #expect(Timestamp.parseRFC3339("2021-06-16T16:52:13.5Z") == 1_623_862_333_500_000_000)
        #expect(Timestamp.parseRFC3339("2021-06-16T18:52:13+02:00") == 1_623_862_333_000_000_000)
        #expect(Timestamp.parseRFC3339("1969-12-31T23:59:59Z") == -1_000_000_000)
    }

    @Test("malformed and out-of-range times are nil, never a crash (fuzz regression)")
    func rejects() {
        for s in ["", "2021-06-16", "2021-13-01T00:00:00Z", "2021-06-16T16:52:13", "2021-06-16T16:52:13.Z",
                  "2021-06-16T25:00:00Z", "9999-12-31T23:59:59Z", "2263-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
                  "2021-06-16T16:52:13Zjunk"] {
            #expect(Timestamp.parseRFC3339(s) == nil, "\(s)")
        }
    }

    @Test("format is the inverse at second precision")
    func roundTrip() {
        for t: Int64 in [0, 1_623_862_333_000_000_000, -86_400_000_000_000, 4_102_444_800_000_000_000] {
            #expect(Timestamp.parseRFC3339(Timestamp.format(t)) == t)
        }
    }

    @Test("format writes every field zero-padded, at both ends of the Int64 range")
    func formats() {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59Z")
        #expect(Timestamp.format(1_623_862_333_999_999_999) == "2021-06-16T16:52:13Z")
        #expect(Timestamp.format(.max) == "2262-04-11T23:47:16Z")
        #expect(Timestamp.format(.min + 1_000_000_000) == "1677-09-21T00:12:44Z")
    }
}
