import Foundation
import TestSupport
import Testing
@testable import FlowIngest

/// `FormatDetector.firstLines` (issue 22: the detector no longer splits and trims a whole 256 KiB prefix to
/// look at its first five lines) against the pipeline it replaces, on random texts of line breaks (`\n`, `\r`,
/// `\r\n`, which is one Character), spaces, tabs, blank and whitespace-only lines and text without a final break.
@Suite struct FormatDetectorLinesTests {
    static func eager(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test func firstLinesAreTheEagerPipelinesFirst() {
        var rng = SplitMix64(seed: 22)
        let parts = ["\n", "\r", "\r\n", "\n\n", " ", "\t", "  \t ", "a", "b c", "{\"k\":1}", "2 123 eni-1", "é", "#x"]
        for _ in 0..<3_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0..<24, using: &rng) { text += parts[Int.random(in: 0..<parts.count, using: &rng)] }
            for count in [1, 2, 5] {
                #expect(FormatDetector.firstLines(of: text, count: count) == Array(Self.eager(text).prefix(count)),
                        "text \(text.debugDescription), count \(count)")
            }
        }
    }

    @Test func detectionOfLargePrefixesIsUnchanged() throws {
        // A VPC record after a blank and a whitespace-only line, then many lines: the first five decide.
        let vpc = "\n \t\n" + String(repeating: "2 123456789012 eni-1 10.0.0.1 10.0.0.2 51085 80 6 4 100 1700000000 "
                                     + "1700000060 ACCEPT OK\n", count: 3_000)
        #expect(FormatDetector.detect(prefix: Array(vpc.utf8))?.format == .vpc)
        let csv = "\r\n" + "time,src_ip,dst_ip,dst_port\n" + String(repeating: "1,10.0.0.1,10.0.0.2,80\n", count: 3_000)
        #expect(FormatDetector.detect(prefix: Array(csv.utf8))?.format == .flowmapCSV)
    }
}
