import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy
import Foundation

/// The inventory reader (`kubectl get ... -o json`): each input is one document.
@_cdecl("FuzzInventory_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { _ = try? InventoryReader.read(Data($0)) }
}
