import FlowModel

/// Which inventory routes an observed connection used (`check` `through <route>`, `explain` `route:`). A
/// connection used a route when it went to one of the route's backend workloads on its target port
/// (`Inventory.routeBackends`) from the route's front:
/// - Ingress, HTTPRoute, GRPCRoute: Cilium's Envoy (`reserved:ingress`), or an ingress controller — a workload
///   observed receiving connections from outside the cluster (an external address or `reserved:world`). A pod
///   that only calls the Service from inside is not taken for a controller, so its connection names no route;
/// - admission webhooks: the API server (`reserved:kube-apiserver`, or one of its addresses: the
///   `default/kubernetes` EndpointSlice).
/// Gateway listeners have no backend and match nothing themselves; their HTTPRoutes do. The class says which
/// front serves a route: class `cilium` (an Ingress's `ingressClassName`, a parent Gateway's `gatewayClassName`)
/// is Cilium's Envoy only, another named class a controller pod only; no class, either.
struct RouteIndex: Sendable {
    var backends: [Endpoint: [RouteBackend]] = [:]
    var controllers = Set<Endpoint>()
    var apiServer = Set<IPAddr>()
    /// Gateway `ns/name` -> its class.
    var gatewayClasses = [String: String]()

    static let ciliumClass = "cilium"

    init(inventory: Inventory, edges: [ObservedEdge]) {
        for b in inventory.routeBackends() { backends[b.workload, default: []].append(b) }
        for r in inventory.routes where r.kind == .gateway { gatewayClasses["\(r.namespace)/\(r.name)"] = r.parent }
        guard !backends.isEmpty else { return }
        for e in edges where e.key.outcome == .allowed && e.key.destination.kind == .workload {
            let s = e.key.source
            if (s.kind == .external && !IPAddr.isPrivate(s.name)) || s.reservedEntity == .world
                || s.reservedEntity == .worldIPv4 || s.reservedEntity == .worldIPv6 {
                controllers.insert(e.key.destination)
            }
        }
        let api = inventory.services.first { $0.namespace == "default" && $0.name == "kubernetes" }
        apiServer = Set((api?.backendIPs ?? []).compactMap(IPAddr.init))
    }

    /// The routes `k` used (`InventoryRoute.description`), sorted; empty when none.
    func routes(_ k: EdgeKey) -> [String] {
        guard let list = backends[k.destination] else { return [] }
        let s = k.source
        let fromAPIServer = s.isReserved(.kubeAPIServer)
            || (s.kind == .external && IPAddr(s.name).map(apiServer.contains) == true)
        let envoy = s.isReserved(.ingress), controller = s.kind == .workload && controllers.contains(s)
        return Set(list.filter { b in
            guard b.proto == k.proto && b.port == k.port else { return false }
            if b.route.kind.isWebhook { return fromAPIServer }
            switch servedByEnvoy(b.route) {
            case true?: return envoy
            case false?: return controller
            case nil: return envoy || controller
            }
        }.map(\.route.description)).sorted()
    }

    /// True when only Cilium's Envoy serves `route`, false when only a controller pod does, nil when unknown.
    func servedByEnvoy(_ route: InventoryRoute) -> Bool? {
        let classes: Set<String>
        switch route.kind {
        case .ingress: classes = route.parent.isEmpty ? [] : [route.parent]
        default:
            classes = Set(route.parent.split(separator: ",").compactMap { gatewayClasses[String($0)] })
        }
        guard classes.count == 1, let c = classes.first else { return nil }
        return c == Self.ciliumClass
    }
}
