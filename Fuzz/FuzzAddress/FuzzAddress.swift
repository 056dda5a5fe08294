import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

/// The host-address parser every reader uses (`IPAddr.host`): each input line is one address text. Besides not
/// crashing, an accepted address must be canonical: its text parses back to the same address, is lower case,
/// carries no prefix or zone, and an IPv4-mapped IPv6 address comes out as IPv4.
@_cdecl("FuzzAddress_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { buf in
        forEachLine(buf) { line in
            let text = String(decoding: line, as: UTF8.self)
            guard case .success(let ip) = IPAddr.host(text) else { return }
            let canonical = ip.description
            guard case .success(let again) = IPAddr.host(canonical), again == ip, again.description == canonical,
                  canonical == canonical.lowercased(), !canonical.contains("/"), !canonical.contains("%"),
                  !(ip.isV6 && ip.hi == 0 && ip.lo >> 32 == 0xffff), !(ip.hi == 0 && ip.lo == 0)
            else { fatalError("not canonical: \(IPAddr.quoted(text)) -> \(canonical)") }
            _ = CIDR(canonical + (ip.isV6 ? "/128" : "/32"))!
        }
    }
}
