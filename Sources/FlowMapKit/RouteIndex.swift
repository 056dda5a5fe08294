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
/// is Cilium's Envoy only, another named class a controller pod only; no class, either. The class is resolved
/// through its IngressClass / GatewayClass object when the inventory holds it (docs/topologies.md): an Ingress
/// without a class takes the cluster's default IngressClass (the one marked `is-default-class`); the class's
/// controller (`spec.controller`, `spec.controllerName`) decides the front — Cilium's (`cilium.io/ingress-controller`,
/// `io.cilium/gateway-controller`) is Envoy, any other a controller pod, and for a controller whose pods FlowMap
/// can name by their Helm chart's labels (`controllerPods`) only those pods' workloads, when the inventory holds
/// any. A route whose controller is known is named with it (`via IngressClass nginx (k8s.io/ingress-nginx)`).
struct RouteIndex: Sendable {
    var backends: [Endpoint: [RouteBackend]] = [:]
    var controllers = Set<Endpoint>()
    var apiServer = Set<IPAddr>()
    /// Gateway `ns/name` -> its class.
    var gatewayClasses = [String: String]()
    /// IngressClass name -> its `spec.controller`.
    var ingressControllers = [String: String]()
    /// GatewayClass name -> its `spec.controllerName`.
    var gatewayControllers = [String: String]()
    /// The class of an Ingress without one: the only IngressClass marked default (none when several are: the API
    /// then refuses to default, and so does FlowMap).
    var defaultIngressClass: String?
    /// Controller -> the workloads of the inventory's pods that carry its labels (`controllerPods`).
    var controllerWorkloads = [String: Set<Endpoint>]()

    static let ciliumClass = "cilium"
    /// Cilium's IngressClass controller (Cilium Ingress: Envoy, `reserved:ingress`).
    static let ciliumController = "cilium.io/ingress-controller"
    /// Cilium's GatewayClass controller (cilium/cilium operator/pkg/gateway-api: `controllerName`).
    static let ciliumGatewayController = "io.cilium/gateway-controller"

    /// Controllers whose proxy pods are known by label: the labels each project's Helm chart puts on the pods
    /// that receive the outside traffic and forward it to the backends, by the controller names their
    /// IngressClass / GatewayClass carry. A pod must carry every label of its entry. Sources (templates read):
    /// - ingress-nginx: kubernetes/ingress-nginx charts/ingress-nginx/templates/_helpers.tpl `selectorLabels`
    ///   (`app.kubernetes.io/name: ingress-nginx`),
    ///   IngressClass controller `k8s.io/ingress-nginx`;
    /// - Traefik: traefik/traefik-helm-chart traefik/templates/_helpers.tpl `traefik.labelselector`
    ///   (`app.kubernetes.io/name: traefik`), ingressclass.yaml `traefik.io/ingress-controller`, gatewayclass.yaml
    ///   `traefik.io/gateway-controller`;
    /// - HAProxy: haproxytech/helm-charts kubernetes-ingress/templates/_helpers.tpl `selectorLabels`
    ///   (`app.kubernetes.io/name: kubernetes-ingress`), controller-ingressclass.yaml
    ///   `haproxy.org/ingress-controller` or `haproxy.org/ingress-controller/<class>`;
    /// - Contour (its Envoy pods): bitnami/charts bitnami/contour/templates/envoy/daemonset.yaml (the chart
    ///   Contour's docs install; `app.kubernetes.io/name: contour`, `app.kubernetes.io/component: envoy`),
    ///   IngressClass controller `projectcontour.io/ingress-controller`;
    /// - Kong: Kong/charts charts/kong/templates/_helpers.tpl `kong.selectorLabels` (`app.kubernetes.io/name:
    ///   kong`, `app.kubernetes.io/component: app`), IngressClass controller `ingress-controllers.konghq.com/kong`;
    /// - Istio ingress gateway: istio/istio manifests/charts/gateway/templates/_helpers.tpl
    ///   `gateway.selectorLabels` (`istio: ingressgateway` for the documented release name
    ///   `istio-ingressgateway`), IngressClass controller `istio.io/ingress-controller`;
    /// - Envoy Gateway (its Envoy proxy pods): envoyproxy/gateway internal/infrastructure/kubernetes/proxy
    ///   `envoyLabels` (`app.kubernetes.io/name: envoy`, `app.kubernetes.io/component: proxy`,
    ///   `app.kubernetes.io/managed-by: envoy-gateway`), GatewayClass controller
    ///   `gateway.envoyproxy.io/gatewayclass-controller`;
    /// - NGINX Inc.'s NGINX Ingress Controller: nginxinc/kubernetes-ingress charts/nginx-ingress/templates/_helpers.tpl
    ///   `nginx-ingress.selectorLabels` (`app.kubernetes.io/name: nginx-ingress`), IngressClass controller
    ///   `nginx.org/ingress-controller`;
    /// - Cilium's own Envoy: cilium/cilium install/kubernetes/cilium/templates/cilium-envoy/daemonset.yaml
    ///   (`k8s-app: cilium-envoy`, a host-network DaemonSet): besides `reserved:ingress`, the front of Cilium's
    ///   controllers when a capture names those pods.
    static let controllerPods: [(controller: String, labels: [String: String])] = [
        ("k8s.io/ingress-nginx", ["app.kubernetes.io/name": "ingress-nginx"]),
        ("traefik.io/ingress-controller", ["app.kubernetes.io/name": "traefik"]),
        ("traefik.io/gateway-controller", ["app.kubernetes.io/name": "traefik"]),
        ("haproxy.org/ingress-controller", ["app.kubernetes.io/name": "kubernetes-ingress"]),
        ("projectcontour.io/ingress-controller", ["app.kubernetes.io/name": "contour", "app.kubernetes.io/component": "envoy"]),
        ("ingress-controllers.konghq.com/kong", ["app.kubernetes.io/name": "kong", "app.kubernetes.io/component": "app"]),
        ("istio.io/ingress-controller", ["istio": "ingressgateway"]),
        ("gateway.envoyproxy.io/gatewayclass-controller", ["app.kubernetes.io/name": "envoy",
                                                           "app.kubernetes.io/component": "proxy",
                                                           "app.kubernetes.io/managed-by": "envoy-gateway"]),
        ("nginx.org/ingress-controller", ["app.kubernetes.io/name": "nginx-ingress"]),
        (ciliumController, ["k8s-app": "cilium-envoy"]),
        (ciliumGatewayController, ["k8s-app": "cilium-envoy"]),
    ]

    /// The `controllerPods` entry of a controller name: exact, or HAProxy's `haproxy.org/ingress-controller/<class>`.
    static func podLabels(of controller: String) -> [String: String]? {
        if let e = controllerPods.first(where: { $0.controller == controller }) { return e.labels }
        let haproxy = "haproxy.org/ingress-controller"
        return controller.hasPrefix(haproxy + "/") ? podLabels(of: haproxy) : nil
    }

    enum Front: Equatable {
        /// Cilium's Envoy: `reserved:ingress`, or these workloads (the cilium-envoy pods, when a capture names them).
        case envoy(Set<Endpoint>)
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
        for r in inventory.routes where r.kind == .gatewayClass { gatewayControllers[r.name] = r.parent }
        defaultIngressClass = defaults.count == 1 ? defaults[0] : nil
        for controller in Set(ingressControllers.values).union(gatewayControllers.values) {
            guard let labels = Self.podLabels(of: controller) else { continue }
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

    /// The routes `k` used (`InventoryRoute.description`, with the class and controller when the inventory holds
    /// the class: `… via GatewayClass cilium (io.cilium/gateway-controller)`), sorted; empty when none.
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
            case .envoy(let pods): return envoy || (s.kind == .workload && pods.contains(s))
            case .controller(let pods?): return s.kind == .workload && pods.contains(s)
            case .controller(nil): return controller
            case .either: return envoy || controller
            }
        }.map { b in
            guard let (kind, cls, ctl) = resolvedClass(b.route) else { return b.route.description }
            return "\(b.route.description) via \(kind.rawValue) \(cls) (\(ctl))"
        }).sorted()
    }

    /// The class object a route's class resolved to (an Ingress's IngressClass, its parent Gateways' one
    /// GatewayClass) and its controller; nil when the inventory holds no such class (or the Gateways differ).
    func resolvedClass(_ route: InventoryRoute) -> (InventoryRoute.Kind, String, String)? {
        switch route.kind {
        case .ingress:
            guard let cls = route.parent.isEmpty ? defaultIngressClass : route.parent,
                  let c = ingressControllers[cls] else { return nil }
            return (.ingressClass, cls, c)
        case .httpRoute, .grpcRoute:
            let classes = Set(route.parent.split(separator: ",").compactMap { gatewayClasses[String($0)] })
            guard classes.count == 1, let cls = classes.first, let c = gatewayControllers[cls] else { return nil }
            return (.gatewayClass, cls, c)
        default:
            return nil
        }
    }

    /// Who forwards `route`'s traffic to its backends.
    func front(_ route: InventoryRoute) -> Front {
        func byController(_ c: String) -> Front {
            c == Self.ciliumController || c == Self.ciliumGatewayController
                ? .envoy(controllerWorkloads[c] ?? []) : .controller(controllerWorkloads[c])
        }
        func byName(_ c: String) -> Front { c == Self.ciliumClass ? .envoy([]) : .controller(nil) }
        if let (_, _, controller) = resolvedClass(route) { return byController(controller) }
        switch route.kind {
        case .ingress:
            guard let cls = route.parent.isEmpty ? defaultIngressClass : route.parent else { return .either }
            return byName(cls)
        default:
            let classes = Set(route.parent.split(separator: ",").compactMap { gatewayClasses[String($0)] })
            guard classes.count == 1, let c = classes.first else { return .either }
            return byName(c)
        }
    }
}
