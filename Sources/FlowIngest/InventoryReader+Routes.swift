import FlowModel

/// The inventory's routes (`InventoryRoute`): Ingress (networking.k8s.io/v1), Gateway, HTTPRoute and GRPCRoute
/// (gateway.networking.k8s.io/v1) and Validating/MutatingWebhookConfiguration (admissionregistration.k8s.io/v1),
/// and the IngressClass (networking.k8s.io/v1) and GatewayClass (gateway.networking.k8s.io/v1) objects that say
/// which controller serves an Ingress or a Gateway.
/// A problem names the field (`spec.rules[0].http.paths[1].backend.service.port`) and leaves the object out.
extension InventoryReader {
    static let routeKinds: Set<String> = Set(InventoryRoute.Kind.allCases.map(\.rawValue))

    static func route(_ o: [String: Any], kind: InventoryRoute.Kind, into inv: inout Inventory) throws {
        let m = try meta(o)
        if !kind.isClusterScoped && m.namespace.isEmpty { throw ItemError(field: "metadata.namespace", message: "missing") }
        let spec = o["spec"] as? [String: Any] ?? [:]
        var entries: [InventoryRoute] = []
        func entry(_ rule: String, _ svcNamespace: String = "", _ svc: String = "", _ port: UInt16 = 0,
                   _ portName: String = "", parent: String = "") -> InventoryRoute {
            InventoryRoute(kind: kind, namespace: m.namespace, name: m.name, rule: rule, serviceNamespace: svcNamespace,
                           serviceName: svc, servicePort: port, servicePortName: portName, parent: parent)
        }
        switch kind {
        case .ingress:
            let annotations = m.m["annotations"] as? [String: String] ?? [:]
            let cls = spec["ingressClassName"] as? String ?? annotations["kubernetes.io/ingress.class"] ?? ""
            if let b = spec["defaultBackend"] as? [String: Any], let be = try ingressBackend(b, "spec.defaultBackend") {
                entries.append(entry("default backend", m.namespace, be.service, be.port, be.portName, parent: cls))
            }
            for (i, el) in (spec["rules"] as? [Any] ?? []).enumerated() {
                guard let r = el as? [String: Any] else { throw ItemError(field: "spec.rules[\(i)]", message: "expected an object") }
                let host = r["host"] as? String ?? "*"
                let paths = (r["http"] as? [String: Any])?["paths"] as? [Any] ?? []
                for (j, pel) in paths.enumerated() {
                    let field = "spec.rules[\(i)].http.paths[\(j)]"
                    guard let p = pel as? [String: Any] else { throw ItemError(field: field, message: "expected an object") }
                    guard let b = p["backend"] as? [String: Any] else { throw ItemError(field: field + ".backend", message: "missing") }
                    // A `resource` backend (an object, not a Service) sends no traffic to pods we could name.
                    guard let be = try ingressBackend(b, field + ".backend") else { continue }
                    entries.append(entry(host + (p["path"] as? String ?? "/"), m.namespace, be.service, be.port,
                                         be.portName, parent: cls))
                }
            }
        case .gateway:
            let cls = spec["gatewayClassName"] as? String ?? ""
            for (i, el) in (spec["listeners"] as? [Any] ?? []).enumerated() {
                let field = "spec.listeners[\(i)]"
                guard let l = el as? [String: Any], let name = l["name"] as? String, !name.isEmpty else {
                    throw ItemError(field: field + ".name", message: "missing")
                }
                entries.append(entry(name, "", "", try port(l["port"], field + ".port"), parent: cls))
            }
        case .httpRoute, .grpcRoute:
            var parents: [String] = []
            for (i, el) in (spec["parentRefs"] as? [Any] ?? []).enumerated() {
                guard let p = el as? [String: Any], let name = p["name"] as? String, !name.isEmpty else {
                    throw ItemError(field: "spec.parentRefs[\(i)].name", message: "missing")
                }
                parents.append("\(p["namespace"] as? String ?? m.namespace)/\(name)")
            }
            let hosts = (spec["hostnames"] as? [String] ?? []).sorted()
            let host = hosts.isEmpty ? "*" : hosts.joined(separator: ",")
            for (i, el) in (spec["rules"] as? [Any] ?? []).enumerated() {
                guard let r = el as? [String: Any] else { throw ItemError(field: "spec.rules[\(i)]", message: "expected an object") }
                let match = routeMatch(r["matches"] as? [Any] ?? [], grpc: kind == .grpcRoute)
                for (j, bel) in (r["backendRefs"] as? [Any] ?? []).enumerated() {
                    let field = "spec.rules[\(i)].backendRefs[\(j)]"
                    guard let b = bel as? [String: Any] else { throw ItemError(field: field, message: "expected an object") }
                    // Only core Services are backends FlowMap can resolve to pods (a ServiceImport, or another
                    // group's kind, is left out: its pods are not in this inventory's terms).
                    guard (b["kind"] as? String ?? "Service") == "Service", (b["group"] as? String ?? "").isEmpty else { continue }
                    guard let name = b["name"] as? String, !name.isEmpty else {
                        throw ItemError(field: field + ".name", message: "missing")
                    }
                    entries.append(entry(host + match, b["namespace"] as? String ?? m.namespace, name,
                                         try port(b["port"], field + ".port"), parent: parents.sorted().joined(separator: ",")))
                }
            }
        case .ingressClass:
            guard let controller = spec["controller"] as? String, !controller.isEmpty else {
                throw ItemError(field: "spec.controller", message: "missing")
            }
            // The API's default-class annotation: Ingresses without a class get this one (when it is the only one).
            let annotations = m.m["annotations"] as? [String: String] ?? [:]
            let isDefault = annotations["ingressclass.kubernetes.io/is-default-class"]?.lowercased() == "true"
            entries.append(entry(isDefault ? InventoryRoute.defaultClassRule : InventoryRoute.classRule, parent: controller))
        case .gatewayClass:
            guard let controller = spec["controllerName"] as? String, !controller.isEmpty else {
                throw ItemError(field: "spec.controllerName", message: "missing")
            }
            entries.append(entry(InventoryRoute.classRule, parent: controller))
        case .validatingWebhook, .mutatingWebhook:
            for (i, el) in (o["webhooks"] as? [Any] ?? []).enumerated() {
                let field = "webhooks[\(i)]"
                guard let w = el as? [String: Any], let name = w["name"] as? String, !name.isEmpty else {
                    throw ItemError(field: field + ".name", message: "missing")
                }
                // A `url` webhook is called outside the cluster's Services: no pod of the inventory receives it.
                guard let svc = (w["clientConfig"] as? [String: Any])?["service"] as? [String: Any] else { continue }
                guard let ns = svc["namespace"] as? String, !ns.isEmpty, let sname = svc["name"] as? String, !sname.isEmpty else {
                    throw ItemError(field: field + ".clientConfig.service", message: "needs namespace and name")
                }
                // `port` defaults to 443 (admissionregistration.k8s.io/v1 ServiceReference).
                let p = svc["port"] == nil ? 443 : try port(svc["port"], field + ".clientConfig.service.port")
                entries.append(entry(name, ns, sname, p))
            }
        }
        let object = entry("").object
        inv.routes = (inv.routes.filter { $0.object != object } + entries).sorted()
    }

    /// An Ingress backend's Service (`service.name`, `service.port.number` or `.name`); nil for a `resource` one.
    static func ingressBackend(_ b: [String: Any], _ field: String) throws
    -> (service: String, port: UInt16, portName: String)? {
        guard let s = b["service"] as? [String: Any] else {
            if b["resource"] != nil { return nil }
            throw ItemError(field: field + ".service", message: "missing (expected service or resource)")
        }
        guard let name = s["name"] as? String, !name.isEmpty else { throw ItemError(field: field + ".service.name", message: "missing") }
        let p = s["port"] as? [String: Any] ?? [:]
        if let n = p["name"] as? String, !n.isEmpty { return (name, 0, n) }
        return (name, try port(p["number"], field + ".service.port.number"), "")
    }

    static func port(_ v: Any?, _ field: String) throws -> UInt16 {
        guard let n = JSONRecord.int(v), (1...65535).contains(n) else {
            throw ItemError(field: field, message: "not a port number (1-65535)")
        }
        return UInt16(n)
    }

    /// A route rule's matches as text: HTTP paths (`/api`, default `/`), gRPC `/service/method` (default `/`).
    static func routeMatch(_ matches: [Any], grpc: Bool) -> String {
        let texts = matches.compactMap { el -> String? in
            guard let m = el as? [String: Any] else { return nil }
            if grpc {
                guard let method = m["method"] as? [String: Any] else { return "/" }
                return "/" + [method["service"] as? String, method["method"] as? String].compactMap { $0 }.joined(separator: "/")
            }
            return (m["path"] as? [String: Any])?["value"] as? String ?? "/"
        }
        return texts.isEmpty ? "/" : Set(texts).sorted().joined(separator: ",")
    }
}
