import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// The VPC reader: each input is split into lines as ingest would.
@_cdecl("FuzzVPC_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { fuzzLines(.vpc, $0) }
}
