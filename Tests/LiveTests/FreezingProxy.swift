import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP relay on 127.0.0.1 in front of a server. `freeze()` makes the connections open at that moment a dead
/// peer: bytes either way are read and dropped, nothing is closed or reset (a node gone, a NAT entry dropped).
/// Connections made later are relayed normally.
final class FreezingProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let upstream: Int
    /// Connection generation: a connection relays while its own generation is current.
    private let generation = Mutex(0)
    let connections = Mutex(0)

    init(upstream: Int) throws {
        self.upstream = upstream
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var addr = Self.loopback(0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { a in
                bind(fd, a, len) == 0 && listen(fd, 8) == 0 && getsockname(fd, a, &len) == 0
            }
        }
        guard ok else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var address: String { "127.0.0.1:\(port)" }

    /// The connections open now stop relaying (and stay open).
    func freeze() { generation.withLock { $0 += 1 } }

    /// Stops accepting (open connections end when their client closes).
    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    static func loopback(_ port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return a
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { close(listener); return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.loopback(upstream)
            let ok = withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard ok else { close(client); close(server); continue }
            connections.withLock { $0 += 1 }
            let mine = generation.withLock { $0 }
            let open = Mutex(2)
            for (from, to) in [(client, server), (server, client)] {
                Thread.detachNewThread { [self] in
                    pump(from: from, to: to, generation: mine)
                    // Either side ending ends both; the last pump closes the descriptors.
                    shutdown(from, Int32(SHUT_RDWR))
                    shutdown(to, Int32(SHUT_RDWR))
                    if open.withLock({ $0 -= 1; return $0 }) == 0 {
                        close(client)
                        close(server)
                    }
                }
            }
        }
    }

    private func pump(from: Int32, to: Int32, generation mine: Int) {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            guard generation.withLock({ $0 }) == mine else { continue }  // frozen: dropped
            var sent = 0
            while sent < n {
                let w = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                guard w > 0 else { return }
                sent += w
            }
        }
    }
}
