import FlowModel
import Testing
@testable import Policy

/// Issue 21: `ReservedEntity` (FlowModel) is the one list of the identities a peer can have. Cilium's policy
/// language (`CiliumEntity`, `fromEntities` / `toEntities`) names the same identities and adds selectors (`all`,
/// `cluster`, `none`); the evaluator maps a reserved endpoint to its entity by name (CiliumPeer, PolicyCheck), so
/// the two lists must not drift apart.
@Suite("Cilium entities name the reserved identities")
struct CiliumEntityTests {
    @Test("every identity CiliumEntity knows is a ReservedEntity, and every Cilium ReservedEntity is a CiliumEntity identity")
    func sameNames() throws {
        let cilium = Set(CiliumEntity.identities.map(\.rawValue))
        // `unknown` (Hubble endpoints with nothing to name them) and Calico's `private-network` are not Cilium's.
        let reserved = Set(ReservedEntity.allCases.map(\.rawValue)).subtracting(["unknown", "private-network"])
        #expect(cilium == reserved, "only Cilium: \(cilium.subtracting(reserved).sorted()), only reserved: \(reserved.subtracting(cilium).sorted())")
        // A policy naming an identity's entity selects that identity (`world` also selects world-ipv4/-ipv6).
        for e in ReservedEntity.allCases where reserved.contains(e.rawValue) {
            let entity = try #require(CiliumEntity(rawValue: e.rawValue), "\(e)")
            #expect(entity.reservedIdentities.contains(entity), "\(e)")
        }
    }
}
