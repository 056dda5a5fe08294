/// Flow counts are evidence weights that producers set (`count`, `num_flows`, Hubble aggregates): a sum that
/// would pass `Int64.max` stays at `Int64.max` ("more than can be counted") instead of trapping. Whatever the
/// weights, a connection still gives exactly one rule, so saturating never widens a policy.
public enum Counts {
    @inline(__always) public static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : s
    }
}
