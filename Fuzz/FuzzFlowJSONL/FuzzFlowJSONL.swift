import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// The FlowJSONL reader: each input is split into lines as ingest would.
@_cdecl("FuzzFlowJSONL_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { fuzzLines(.flowmapJSONL, $0) }
}
