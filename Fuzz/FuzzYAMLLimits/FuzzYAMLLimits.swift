import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// Each input is a YAML text, loaded under tight bounds (so that fuzzing reaches every bound: anchors, aliases,
/// alias-added nodes, depth, documents) and under the defaults; alias chains in the input expand only on paper.
@_cdecl("FuzzYAMLLimits_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var tight = YAMLDocumentLoader.Limits()
    tight.anchors = 4
    tight.aliases = 16
    tight.aliasNodes = 64
    tight.depth = 8
    tight.documents = 4
    tight.bytes = 8192
    return runFuzzer(argc, argv) { buf in
        let text = String(decoding: buf, as: UTF8.self)
        let r = YAMLDocumentLoader.documents(text, limits: tight)
        // A bound reports where it stopped: never more documents than allowed.
        if r.documents.count > tight.documents { fatalError("more documents than the bound") }
        _ = YAMLDocumentLoader.documents(text)
    }
}
