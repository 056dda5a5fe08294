import Foundation
import Testing

extension GenerateExitTests {
    @Test("--cluster-baseline: an unknown kind and the Cilium flavour exit 2 with what to do, nothing written")
    func clusterBaselineRefusals() throws {
        let (db, dir) = try store()
        let out = dir.appendingPathComponent("out").path
        let (s, o) = try Binary.run(["generate", "--db", db, "--out", out, "--cluster-baseline", "anp"])
        #expect(s == 2, "\(o)")
        // A typed option (docs/cli.md): generate's usage error with the valid values.
        #expect(o.contains("The value 'anp' is invalid for '--cluster-baseline") && o.contains("'cnp' and 'banp'")
                && o.contains("Usage: flowmap generate"), "\(o)")
        let (s2, o2) = try Binary.run(["generate", "--db", db, "--out", out, "--cluster-baseline", "cnp",
                                       "--flavor", "cilium"])
        #expect(s2 == 2, "\(o2)")
        #expect(o2.contains("--cluster-baseline with --flavor cilium") && o2.contains("use --flavor k8s"), "\(o2)")
        let (s3, o3) = try Binary.run(["generate", "--db", db, "--out", out, "--cluster-baseline"])
        #expect(s3 == 2, "\(o3)")  // the value is required (argument-parser has no optional-value options)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
