import Foundation
import Testing
@testable import FlowMapView

@Suite("The HTML map's assets")
struct MapAssetTests {
    @Test("the embedded map.js and map.css are exactly Sources/FlowMapView/Assets (run `make assets` when this fails)")
    func embeddedAssetsMatchFiles() throws {
        let dir = MapSupport.repoRoot.appendingPathComponent("Sources/FlowMapView/Assets")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(MapAssets.files.map(\.name) == files)
        for (name, text) in MapAssets.files {
            var onDisk = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            while onDisk.hasSuffix("\n") { onDisk.removeLast() }
            #expect(text == onDisk, "\(name) differs from its embedded copy: run `make assets`")
        }
    }

    @Test("the page carries both assets verbatim")
    func pageCarriesAssets() {
        let html = HTMLRenderer.render(MapGraph(groups: [], nodes: [], edges: [], hasVerdicts: false))
        #expect(html.contains("<style>\n" + MapAssets.style + "\n</style>"))
        #expect(html.contains("<script>\n" + MapAssets.script + "\n</script>"))
    }
}
