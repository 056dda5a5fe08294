import CZlib
import Foundation
import TestSupport

/// netpol-analyzer's test inputs and goldens under Fixtures (see Fixtures/SOURCES.md); `.gz` goldens are
/// decompressed on read (the largest connlists are several MB of text).
enum Fixture {
    static var root: URL {
        Repository.fixtures("NetpolAnalyzerTests")
    }

    static func input(_ dir: String) -> String { root.appendingPathComponent("tests/\(dir)").path }

    /// The golden's text (`name` without `.gz`; the compressed copy is used when it is the one stored).
    static func golden(_ name: String) throws -> String {
        let url = root.appendingPathComponent(name)
        if let d = FileManager.default.contents(atPath: url.path) { return String(decoding: d, as: UTF8.self) }
        guard let gz = FileManager.default.contents(atPath: url.path + ".gz") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        return String(decoding: try gunzip(gz), as: UTF8.self)
    }

    struct ZlibError: Error { var code: Int32 }

    static func gunzip(_ data: Data) throws -> Data {
        var z = z_stream()
        guard flowmap_inflate_init(&z) == Z_OK else { throw ZlibError(code: -1) }
        defer { inflateEnd(&z) }
        var out = Data()
        var input = [UInt8](data)
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        try input.withUnsafeMutableBufferPointer { ip in
            z.next_in = ip.baseAddress
            z.avail_in = uInt(ip.count)
            while true {
                let (rc, n) = buf.withUnsafeMutableBufferPointer { bp -> (Int32, Int) in
                    z.next_out = bp.baseAddress
                    z.avail_out = uInt(bp.count)
                    let rc = inflate(&z, Z_NO_FLUSH)
                    return (rc, bp.count - Int(z.avail_out))
                }
                out.append(contentsOf: buf[0..<n])
                if rc == Z_STREAM_END { return }
                guard rc == Z_OK else { throw ZlibError(code: rc) }
            }
        }
        return out
    }
}
