import Foundation
import Testing
@testable import FlowIngest
import FlowMapKit
import FlowIngest
import FlowMapView
import FlowModel
import FlowStore
import Inference
import Policy

@Suite("AWS VPC flow logs")
struct VPCTests {
    @Test("default v2 records: ACCEPT / REJECT, NODATA / SKIPDATA skipped, ports and protocol")
    func defaultFormat() throws {
        let text = """
            2 123456789010 eni-1 10.0.0.1 10.0.0.2 40000 443 6 20 4249 1418530010 1418530070 ACCEPT OK
            2 123456789010 eni-1 10.0.0.1 10.0.0.3 40001 3389 6 20 4249 1418530010 1418530070 REJECT OK
            2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA
            2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - SKIPDATA

            """
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([Support.file("v2.log", text)], db: db, format: .vpc)
        #expect(issues.isEmpty)
        #expect(r.total.accepted == 2)
        #expect(r.total.skipped == 2)
        #expect(try Support.edgeLines(db) == [
            "10.0.0.1 -> 10.0.0.2 TCP/443 allowed 1",
            "10.0.0.1 -> 10.0.0.3 TCP/3389 denied 1",
        ])
    }

    @Test("a header sets the layout; pkt-srcaddr / pkt-dstaddr win over srcaddr / dstaddr; ${field} accepted")
    func headerAndPacketAddresses() throws {
        let text = """
            ${version} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${action} ${log-status}
            3 eni-1 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5 40000 443 6 1566848875 1566848933 ACCEPT OK
            3 eni-1 10.0.1.5 10.0.0.220 - - 40001 80 6 1566848875 1566848933 ACCEPT OK

            """
        let db = Support.newDB()
        let (_, issues) = try Support.ingest([Support.file("h.log", text)], db: db, format: .vpc)
        #expect(issues.isEmpty)
        #expect(try Support.edgeLines(db) == [
            "10.0.1.5 -> 10.0.0.220 TCP/80 allowed 1",
            "10.0.1.5 -> 203.0.113.5 TCP/443 allowed 1",
        ])
    }

    @Test("the opener: SYN opens, SYN-ACK answers, later windows of the connection follow it and are not recounted")
    func opener() throws {
        let text = """
            version srcaddr dstaddr srcport dstport protocol start end action tcp-flags log-status interface-id
            3 52.213.180.42 10.0.0.62 43416 5001 6 100 160 ACCEPT 2 OK eni-1
            3 10.0.0.62 52.213.180.42 5001 43416 6 100 160 ACCEPT 18 OK eni-1
            3 10.0.0.62 52.213.180.42 5001 43416 6 160 220 ACCEPT 1 OK eni-1
            3 52.213.180.42 10.0.0.62 43416 5001 6 160 220 ACCEPT 1 OK eni-1

            """
        let db = Support.newDB()
        let (r, issues) = try Support.ingest([Support.file("f.log", text)], db: db, format: .vpc)
        #expect(issues.isEmpty)
        #expect(r.total.replies == 2)
        let edges = try FlowStore(path: db).edges()
        #expect(edges.count == 1)
        #expect(edges.first?.key.source == .external("52.213.180.42"))
        #expect(edges.first?.key.port == 5001)
        #expect(edges.first?.stats.flows == 1)
        #expect(edges.first?.stats.lastSeen == Int64(220) * 1_000_000_000)
    }

    @Test("both interfaces' records of one connection count once (flow-direction and interface id)")
    func twoInterfaces() throws {
        let text = """
            version interface-id srcaddr dstaddr srcport dstport protocol start end action tcp-flags flow-direction log-status
            5 eni-a 10.0.0.1 10.0.0.2 40000 80 6 100 100 ACCEPT 2 egress OK
            5 eni-b 10.0.0.1 10.0.0.2 40000 80 6 100 100 ACCEPT 2 ingress OK
            5 eni-a 10.0.0.1 10.0.0.2 40001 80 6 101 101 ACCEPT 2 egress OK
            5 eni-b 10.0.0.1 10.0.0.2 40001 80 6 101 101 ACCEPT 2 ingress OK

            """
        let db = Support.newDB()
        try Support.ingest([Support.file("f.log", text)], db: db, format: .vpc)
        #expect(try Support.edgeLines(db) == ["10.0.0.1 -> 10.0.0.2 TCP/80 allowed 2"])
    }

    @Test("records that fit no layout, or a header without what FlowMap needs, are reported by line")
    func malformed() throws {
        let text = """
            2 123456789010 eni-1 10.0.0.1 10.0.0.2 40000 443 6 20 4249 1418530010 1418530070 ACCEPT OK
            2 123456789010 eni-1 10.0.0.1 10.0.0.2 40000 443
            2 123456789010 eni-1 10.0.0.1 10.0.0.2 40000 99999 6 20 4249 1418530010 1418530070 ACCEPT OK
            instance-id interface-id srcaddr dstaddr
            i-1 eni-1 10.0.0.1 10.0.0.2
            version srcaddr dstaddr srcport dstport protocol start action
            3 10.0.0.1 10.0.0.2 40000 443 6 1418530010 MAYBE

            """
        let path = Support.file("bad.log", text)
        let (_, issues) = try Support.ingest([path], db: Support.newDB(), format: .vpc)
        #expect(issues.map(\.line) == [2, 3, 4, 5, 7])
        #expect(issues.map(\.field) == ["", "dstport", "header", "", "action"])
        #expect(issues[0].description.hasPrefix("\(path):2: "))
    }
}
