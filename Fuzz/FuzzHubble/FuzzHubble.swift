import FlowMapKit

/// Each input is split into lines and fed to the Hubble reader, as ingest would.
@_cdecl("FuzzHubble_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { buf in
        var reader = HubbleReader()
        var agg = FlowAggregator()
        forEachLine(buf) { _ = reader.read(line: $0, into: &agg) }
    }
}
