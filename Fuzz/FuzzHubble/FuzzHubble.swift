import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// The JSON scanner and the Hubble decoder: each input is split into lines as ingest would.
@_cdecl("FuzzHubble_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { fuzzLines(.hubble, $0) }
}
