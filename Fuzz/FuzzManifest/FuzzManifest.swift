import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// Each input is one manifest file (multi-document YAML or JSON), read as `flowmap check --policies` would.
@_cdecl("FuzzManifest_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { buf in
        _ = ManifestReader.parse(text: String(decoding: buf, as: UTF8.self), file: "fuzz.yaml")
    }
}
