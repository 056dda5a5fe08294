// Shared by every fuzz target (each target directory links to this file). SwiftPM renames an executable's
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

// entry point to `<target>_main`; each target exports that name and starts libFuzzer's driver from it.

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzCallback
) -> Int32

nonisolated(unsafe) var fuzzBody: ((UnsafeRawBufferPointer) -> Void)?

func runFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
               _ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Int32 {
    fuzzBody = body
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}

/// libFuzzer requires this symbol even when started through LLVMFuzzerRunDriver.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzBody!(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

func forEachLine(_ buf: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
    var start = 0
    for i in 0...buf.count where i == buf.count || buf[i] == 0x0A {
        body(UnsafeRawBufferPointer(rebasing: buf[start..<i]))
        start = i + 1
    }
}


/// Feeds the input line by line to a fresh reader of `format`, then lets it finish, as ingest does.
func fuzzLines(_ format: InputFormat, _ buf: UnsafeRawBufferPointer) {
    guard var reader = AnyLineReader.make(format, addressBook: nil) else { fatalError("no reader for \(format)") }
    var agg = FlowAggregator()
    forEachLine(buf) { _ = reader.read(line: $0, into: &agg) }
    _ = reader.finish(into: &agg)
}
