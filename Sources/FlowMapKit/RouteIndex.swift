import FlowModel

/// Which inventory routes an observed connection used (`check` `through <route>`, `explain` `route:`). A
/// connection used a route when it went to one of the route's backend workloads on its target port
/// (`Inventory.routeBackends`) from the route's front:
/// - Ingress, HTTPRoute, GRPCRoute: Cilium's Envoy (`reserved:ingress`), or an ingress controller — a workload
///   observed receiving connections from outside the cluster (an external address or `reserved:world`). A pod
///   that only calls the Service from inside is not taken for a controller, so its connection names no route;
/// - admission webhooks: the API server (`reserved:kube-apiserver`, one of its addresses: the
///   `default/kubernetes` EndpointSlice, or `reserved:host` / `reserved:remote-node`: an API server in the host
///   network).
/// Gateway listeners have no backend and match nothing themselves; their HTTPRoutes do. The class says which
/// front serves a route: class `cilium` (an Ingress's `ingressClassName`, a parent Gateway's `gatewayClassName`)
/// is Cilium's Envoy only, another named class a controller pod only; no class, either. An Ingress's class is
/// resolved through its IngressClass object when the inventory holds it (docs/topologies.md): an Ingress without
/// a class takes the cluster's default class (the one IngressClass marked `is-default-class`); the class's
/// `spec.controller` `cilium.io/ingress-controller` is Envoy, any other a controller pod, and for a controller
/// whose pods FlowMap can name (ingress-nginx: `app.kubernetes.io/name: ingress-nginx`) only those pods'
/// workloads, when the inventory holds any.
struct RouteIndex: Sendable {
    var backends: [Endpoint: [RouteBackend]] = [:]
    var controllers = Set<Endpoint>()
    var apiServer = Set<IPAddr>()
    /// Gateway `ns/name` -> its class.
    var gatewayClasses = [String: String]()
    /// IngressClass name -> its `spec.controller`.
    var ingressControllers = [String: String]()
    /// The class of an Ingress without one: the only IngressClass marked default (none when several are: the API
    /// then refuses to default, and so does FlowMap).
    var defaultIngressClass: String?
    /// Controller -> the workloads of the inventory's pods that carry its labels (`knownControllerPods`).
    var controllerWorkloads = [String: Set<Endpoint>]()

    static let ciliumClass = "cilium"
    /// Cilium's IngressClass controller (Cilium Ingress: Envoy, `reserved:ingress`).
    static let ciliumController = "cilium.io/ingress-controller"
    /// Controllers whose pods are known by label: the ingress-nginx project's manifests and Helm chart label the
    /// controller pods `app.kubernetes.io/name: ingress-nginx` and name the controller `k8s.io/ingress-nginx`.
    static let knownControllerPods: [String: [String: String]] = [
        "k8s.io/ingress-nginx": ["app.kubernetes.io/name": "ingress-nginx"],
    ]

    enum Front: Equatable {
        case envoy
        /// A controller pod: these workloads, or (nil) any workload observed receiving from outside the cluster.
        case controller(Set<Endpoint>?)
        case either
    }

    init(inventory: Inventory, edges: [ObservedEdge]) {
        for b in inventory.routeBackends() { backends[b.workload, default: []].append(b) }
        for r in inventory.routes where r.kind == .gateway { gatewayClasses["\(r.namespace)/\(r.name)"] = r.parent }
        var defaults: [String] = []
        for r in inventory.routes where r.kind == .ingressClass {
            ingressControllers[r.name] = r.parent
            if r.rule == InventoryRoute.defaultClassRule { defaults.append(r.name) }
        }
        defaultIngressClass = defaults.count == 1 ? defaults[0] : nil
        for (controller, labels) in Self.knownControllerPods {
            let w = Set(inventory.pods.filter { p in
                p.workload.kind == .workload && labels.allSatisfy { p.labels[$0.key] == $0.value }
            }.map(\.workload))
            if !w.isEmpty { controllerWorkloads[controller] = w }
        }
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
        // A node identity on a webhook port is the API server in the host network, as Cilium reports it
        // (docs/topologies.md, "The API server calling admission webhooks").
        let fromAPIServer = s.isReserved(.kubeAPIServer) || s.reservedEntity.map(ReservedEntity.nodes.contains) == true
            || (s.kind == .external && IPAddr(s.name).map(apiServer.contains) == true)
        let envoy = s.isReserved(.ingress), controller = s.kind == .workload && controllers.contains(s)
        return Set(list.filter { b in
            guard b.proto == k.proto && b.port == k.port else { return false }
            if b.route.kind.isWebhook { return fromAPIServer }
            switch front(b.route) {
            case .envoy: return envoy
            case .controller(let pods?): return s.kind == .workload && pods.contains(s)
            case .controller(nil): return controller
            case .either: return envoy || controller
            }
        }.map(\.route.description)).sorted()
    }

    /// Who forwards `route`'s traffic to its backends.
    func front(_ route: InventoryRoute) -> Front {
        func byName(_ c: String) -> Front { c == Self.ciliumClass ? .envoy : .controller(nil) }
        switch route.kind {
        case .ingress:
            guard let cls = route.parent.isEmpty ? defaultIngressClass : route.parent else { return .either }
            guard let controller = ingressControllers[cls] else { return byName(cls) }
            return controller == Self.ciliumController ? .envoy : .controller(controllerWorkloads[controller])
        default:
            let classes = Set(route.parent.split(separator: ",").compactMap { gatewayClasses[String($0)] })
            guard classes.count == 1, let c = classes.first else { return .either }
            return byName(c)
        }
    }
}
