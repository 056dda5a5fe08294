import Foundation
import Testing

/// Issue 20: `flowmap collect` with stand-in kubectl and hubble on PATH.
@Suite("flowmap collect")
struct CollectTests {
    @Test("the inventory first (kubectl with --context), then hubble for the duration; stopped there, everything committed")
    func inventoryThenFlows() throws {
        // hubble prints one capture and then keeps the stream open, as `--follow` does.
        let sample = StandIns.hubbleSamples.first { $0.hasSuffix("basic-sample-400-tcp-flows.json") }!
        let s = try StandIns(hubbleBody: "cat '\(sample)'\nsleep 600")
        let r = try s.sh("flowmap collect --duration 2s --db c.db --context kind-test -n ingest -n ops")
        #expect(r.status == 0, "\(r.err)")
        #expect(s.calls == ["kubectl --context kind-test get namespaces,pods,services,endpointslices,nodes -A -o json",
                            "hubble observe -o jsonpb --follow --namespace ingest --namespace ops"])
        #expect(r.out.contains("inventory 15 object(s); flows: 400 lines, 400 accepted"), "\(r.out)")
        #expect(r.err.contains("collect: inventory: kubectl --context kind-test get"), "\(r.err)")
        // What was read is in the store: the summary sees the flows, the check of nothing is not needed.
        let summary = try s.sh("flowmap summary --db c.db")
        #expect(summary.status == 0)
        #expect(summary.out.contains("top talkers") || summary.out.contains("flows"), "\(summary.out)")
        // The stand-in's `sleep` was stopped with it (its process group).
        let left = try s.sh("ps -eo args | grep -c '^sleep 600$' || true")
        #expect(left.out.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test("kubectl or hubble missing: exit 2 before anything runs, naming what to install; no store written",
          arguments: [(false, true, ["kubectl"]), (true, false, ["hubble"]), (false, false, ["kubectl", "hubble"])])
    func missingTools(kubectl: Bool, hubble: Bool, missing: [String]) throws {
        let s = try StandIns(kubectl: kubectl, hubble: hubble)
        // Only the stand-in directory: a kubectl installed on the machine must not be found.
        let r = try s.sh("PATH='\(s.bin.path)' '\(s.bin.path)/flowmap' collect --duration 1m --db c.db")
        #expect(r.status == 2, "\(r.err)")
        for tool in missing { #expect(r.err.contains("\(tool) not found on PATH: install"), "\(r.err)") }
        if kubectl { #expect(!r.err.contains("kubectl not found")) }
        if hubble { #expect(!r.err.contains("hubble not found")) }
        #expect(s.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent("c.db").path))
    }

    @Test("hubble failing before the duration: exit 2 with what to check; the lines it wrote are stored")
    func hubbleFails() throws {
        let sample = StandIns.hubbleSamples.first { $0.hasSuffix("basic-sample-10-flows.json") }!
        let s = try StandIns(hubbleBody: "cat '\(sample)'\necho 'failed to connect to relay' >&2\nexit 1")
        let r = try s.sh("flowmap collect --duration 10m --db c.db")
        #expect(r.status == 2)
        #expect(r.err.contains("exit status 1"), "\(r.err)")
        #expect(r.err.contains("cilium hubble port-forward"), "\(r.err)")
        #expect(r.err.contains("10 flow(s) read before it ended are stored"), "\(r.err)")
    }

    @Test("a bad --duration is a usage error (exit 2) that shows the accepted forms")
    func badDuration() throws {
        let s = try StandIns()
        let r = try s.sh("flowmap collect --duration soon --db c.db")
        #expect(r.status == 2)
        #expect(r.err.contains("30m, 2h, 1h30m or 90s"), "\(r.err)")
        #expect(s.calls.isEmpty)
    }
}
