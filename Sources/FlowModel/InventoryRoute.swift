/// A declared way into a Service's pods, from the inventory: an Ingress or Gateway API route rule (traffic the
/// ingress controller or Cilium's Envoy forwards), a Gateway listener, or an admission webhook (the API server
/// calls the Service). One entry per (object, rule, backend Service port); an object with three rules is three
/// entries. Entries only name what the cluster declares: inference never allows anything from a route alone,
/// it uses them to name what observed traffic was (`check` `through <route>`, `explain` `route:`, webhook notes).
public struct InventoryRoute: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        case ingress = "Ingress"
        case gateway = "Gateway"
        case httpRoute = "HTTPRoute"
        case grpcRoute = "GRPCRoute"
        case validatingWebhook = "ValidatingWebhookConfiguration"
        case mutatingWebhook = "MutatingWebhookConfiguration"
        /// Not a route: which controller serves an Ingress class (`spec.controller` in `parent`; `rule` is
        /// `default class` when the class is the cluster's default, else `class`). Kept beside the routes it
        /// decides (docs/topologies.md).
        case ingressClass = "IngressClass"
        /// Not a route: which controller serves a Gateway class (`spec.controllerName` in `parent`; `rule` is
        /// `class`), as IngressClass does for Ingress (gateway.networking.k8s.io/v1, cluster-scoped).
        case gatewayClass = "GatewayClass"

        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }

        /// Admission webhooks: the API server is the client.
        public var isWebhook: Bool { self == .validatingWebhook || self == .mutatingWebhook }

        /// Cluster-scoped objects: no namespace.
        public var isClusterScoped: Bool { isWebhook || isClass }

        /// IngressClass and GatewayClass: they name the controller of the routes that use them.
        public var isClass: Bool { self == .ingressClass || self == .gatewayClass }
    }

    public var kind: Kind
    /// Empty for the cluster-scoped webhook configurations.
    public var namespace: String
    public var name: String
    /// Which part of the object: `host/path` of an Ingress or route rule (`*` for any host), a Gateway
    /// listener's name, a webhook's name (`webhooks[].name`).
    public var rule: String
    /// The backend Service; empty for a Gateway listener (it has none).
    public var serviceNamespace: String
    public var serviceName: String
    /// The Service port by number (0 when given by name in `servicePortName`); a Gateway listener's own port.
    public var servicePort: UInt16
    public var servicePortName: String
    /// What the object hangs off: an Ingress's class (`ingressClassName`), a route's parent Gateways (`ns/name`,
    /// sorted, comma-separated), a Gateway's class (`gatewayClassName`), an IngressClass's controller
    /// (`spec.controller`), a GatewayClass's (`spec.controllerName`); empty for webhooks.
    public var parent: String

    public init(kind: Kind, namespace: String, name: String, rule: String, serviceNamespace: String = "",
                serviceName: String = "", servicePort: UInt16 = 0, servicePortName: String = "", parent: String = "") {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.rule = rule
        self.serviceNamespace = serviceNamespace
        self.serviceName = serviceName
        self.servicePort = servicePort
        self.servicePortName = servicePortName
        self.parent = parent
    }

    /// An IngressClass entry's `rule`: the cluster's default class, or another one.
    public static let defaultClassRule = "default class"
    public static let classRule = "class"

    /// The object the entry belongs to: a later inventory naming it replaces all its entries.
    public var object: String { "\(kind.rawValue) " + (namespace.isEmpty ? name : "\(namespace)/\(name)") }

    /// `Ingress shop/web (shop.example.com/)`, `ValidatingWebhookConfiguration policy (validate.example.com)`.
    public var description: String { "\(object) (\(rule))" }

    public static func < (a: InventoryRoute, b: InventoryRoute) -> Bool {
        if (a.kind, a.namespace, a.name, a.rule) != (b.kind, b.namespace, b.name, b.rule) {
            return (a.kind, a.namespace, a.name, a.rule) < (b.kind, b.namespace, b.name, b.rule)
        }
        return (a.serviceNamespace, a.serviceName, a.servicePort, a.servicePortName, a.parent)
            < (b.serviceNamespace, b.serviceName, b.servicePort, b.servicePortName, b.parent)
    }
}

/// A route resolved to where its traffic lands: the workload behind the backend Service and the port its pods
/// receive on (the Service's `targetPort`, a named one resolved through the pods' container ports).
public struct RouteBackend: Sendable, Hashable, Comparable {
    public var route: InventoryRoute
    public var workload: Endpoint
    public var proto: Proto
    public var port: UInt16

    public init(route: InventoryRoute, workload: Endpoint, proto: Proto, port: UInt16) {
        self.route = route
        self.workload = workload
        self.proto = proto
        self.port = port
    }

    public static func < (a: RouteBackend, b: RouteBackend) -> Bool {
        (a.workload, a.proto, a.port, a.route) < (b.workload, b.proto, b.port, b.route)
    }
}

extension Inventory {
    /// Every route entry resolved to its backend workloads and target ports, sorted. A route whose Service, Service
    /// port or pods the inventory does not hold resolves to nothing (it is still listed in `routes`). The pods
    /// behind a Service: those its selector matches in its namespace, or, for a Service without selector, those
    /// holding its EndpointSlice addresses.
    public func routeBackends() -> [RouteBackend] {
        var byName = [String: InventoryService]()
        for s in services { byName[s.namespace + "/" + s.name] = s }
        var out = Set<RouteBackend>()
        for r in routes where !r.serviceName.isEmpty {
            guard let s = byName[r.serviceNamespace + "/" + r.serviceName] else { continue }
            let ports = s.ports.filter {
                r.servicePortName.isEmpty ? $0.port == r.servicePort : $0.name == r.servicePortName
            }
            let backends = s.backendIPs
            let pods = pods.filter { p in
                p.namespace == s.namespace && p.workload.kind == .workload
                    && (s.selector.isEmpty
                        ? p.ips.contains(where: backends.contains)
                        : s.selector.allSatisfy { p.labels[$0.key] == $0.value })
            }
            for sp in ports {
                for p in pods {
                    let target: UInt16? = sp.targetPortName.isEmpty
                        ? sp.targetPort
                        : p.ports.first { $0.name == sp.targetPortName && $0.proto == sp.proto }?.port
                    guard let t = target, t != 0 else { continue }
                    out.insert(RouteBackend(route: r, workload: p.workload, proto: sp.proto, port: t))
                }
            }
        }
        return out.sorted()
    }
}
