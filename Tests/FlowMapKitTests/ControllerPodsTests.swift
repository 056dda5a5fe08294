import Foundation
import Testing
@testable import FlowIngest
@testable import FlowMapKit
import FlowModel

/// Issue 23: the front of a route whose IngressClass / GatewayClass names a controller FlowMap knows by its
/// proxy pods' labels (`RouteIndex.controllerPods`, each entry citing the Helm chart template it comes from).
/// The expectations below restate the labels on purpose: changing the table without the charts changing must
/// fail here.
@Suite struct ControllerPodsTests {
    static let web = Endpoint.workload("shop", "web", kind: "Deployment")
    static let proxy = Endpoint.workload("edge", "proxy", kind: "Deployment")
    static let decoy = Endpoint.workload("edge", "decoy", kind: "Deployment")
    static let ingressRoute = "Ingress shop/web (shop.example.com/)"
    static let httpRoute = "HTTPRoute shop/route (www.example.com/)"

    static func pod(_ name: String, _ namespace: String, _ labels: [String: String], ip: String, port: Int) -> String {
        let l = labels.sorted { $0.key < $1.key }.map { #""\#($0.key)": "\#($0.value)""# }.joined(separator: ", ")
        return #"{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "\#(name)-6b7f9d4c8-q8r2t", "namespace": "\#(namespace)", "labels": {\#(l)}, "ownerReferences": [{"kind": "ReplicaSet", "name": "\#(name)-6b7f9d4c8", "controller": true}]}, "spec": {"containers": [{"name": "c", "ports": [{"containerPort": \#(port)}]}]}, "status": {"podIP": "\#(ip)"}}"#
    }

    /// shop/web behind Service web (80 -> 8080), reached through an Ingress or an HTTPRoute of class
    /// `edge-class`, whose class object names `controller`; edge/proxy carries `labels`, edge/decoy does not.
    static func inventory(controller: String, gateway: Bool, labels: [String: String]) throws -> Inventory {
        var items = [
            pod("web", "shop", ["app": "web"], ip: "10.0.3.9", port: 8080),
            #"{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]}}"#,
            pod("proxy", "edge", labels, ip: "10.0.2.7", port: 443),
            pod("decoy", "edge", ["app": "decoy"], ip: "10.0.2.8", port: 443),
        ]
        if gateway {
            items += [
                #"{"kind": "GatewayClass", "apiVersion": "gateway.networking.k8s.io/v1", "metadata": {"name": "edge-class"}, "spec": {"controllerName": "\#(controller)"}}"#,
                #"{"kind": "Gateway", "apiVersion": "gateway.networking.k8s.io/v1", "metadata": {"name": "gw", "namespace": "edge"}, "spec": {"gatewayClassName": "edge-class", "listeners": [{"name": "http", "port": 80}]}}"#,
                #"{"kind": "HTTPRoute", "apiVersion": "gateway.networking.k8s.io/v1", "metadata": {"name": "route", "namespace": "shop"}, "spec": {"parentRefs": [{"name": "gw", "namespace": "edge"}], "hostnames": ["www.example.com"], "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}"#,
            ]
        } else {
            items += [
                #"{"kind": "IngressClass", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "edge-class"}, "spec": {"controller": "\#(controller)"}}"#,
                #"{"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"ingressClassName": "edge-class", "rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}"#,
            ]
        }
        let r = try InventoryReader.read(Data((#"{"kind": "List", "items": ["# + items.joined(separator: ",") + "]}").utf8))
        #expect(r.issues.isEmpty, "\(r.issues)")
        return r.inventory
    }

    static func edge(_ s: Endpoint, _ d: Endpoint, _ port: UInt16) -> ObservedEdge {
        ObservedEdge(key: EdgeKey(source: s, destination: d, proto: .tcp, port: port, outcome: .allowed),
                     stats: EdgeStats(flows: 3, firstSeen: 1, lastSeen: 2))
    }

    /// The routes named for proxy -> web, decoy -> web and reserved:ingress -> web; the decoy is the workload
    /// observed receiving from outside the cluster (what a controller without known labels is taken to be).
    static func fronts(controller: String, gateway: Bool, labels: [String: String]) throws
        -> (proxy: [String], decoy: [String], envoy: [String]) {
        let edges = [edge(.reserved(.world), decoy, 443), edge(proxy, web, 8080), edge(decoy, web, 8080),
                     edge(.reserved(.ingress), web, 8080)]
        let index = RouteIndex(inventory: try inventory(controller: controller, gateway: gateway, labels: labels),
                               edges: edges)
        return (index.routes(edges[1].key), index.routes(edges[2].key), index.routes(edges[3].key))
    }

    /// Each controller with the labels its Helm chart puts on its proxy pods (and the chart's other labels, which
    /// do not matter), by the kind of class its chart creates.
    static let charts: [(controller: String, gateway: Bool, labels: [String: String])] = [
        ("k8s.io/ingress-nginx", false, ["app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"]),
        ("traefik.io/ingress-controller", false, ["app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-edge"]),
        ("traefik.io/gateway-controller", true, ["app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-edge"]),
        ("haproxy.org/ingress-controller", false, ["app.kubernetes.io/name": "kubernetes-ingress", "app.kubernetes.io/instance": "haproxy"]),
        ("haproxy.org/ingress-controller/haproxy", false, ["app.kubernetes.io/name": "kubernetes-ingress"]),
        ("projectcontour.io/ingress-controller", false, ["app.kubernetes.io/name": "contour", "app.kubernetes.io/component": "envoy"]),
        ("ingress-controllers.konghq.com/kong", false, ["app.kubernetes.io/name": "kong", "app.kubernetes.io/component": "app",
                                                         "app.kubernetes.io/instance": "kong"]),
        ("istio.io/ingress-controller", false, ["app": "istio-ingressgateway", "istio": "ingressgateway"]),
        ("gateway.envoyproxy.io/gatewayclass-controller", true, ["app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
                                                                  "app.kubernetes.io/managed-by": "envoy-gateway"]),
        ("nginx.org/ingress-controller", false, ["app.kubernetes.io/name": "nginx-ingress", "app.kubernetes.io/instance": "edge"]),
    ]

    @Test("a known controller's proxy pods (its Helm chart's labels) are the front: named with the class and controller; a world-facing workload without them is not")
    func knownControllers() throws {
        for c in Self.charts {
            let route = (c.gateway ? Self.httpRoute + " via GatewayClass" : Self.ingressRoute + " via IngressClass")
                + " edge-class (\(c.controller))"
            let f = try Self.fronts(controller: c.controller, gateway: c.gateway, labels: c.labels)
            #expect(f.proxy == [route], "\(c.controller)")
            #expect(f.decoy == [], "\(c.controller): not its pods")
            #expect(f.envoy == [], "\(c.controller): not Cilium's Envoy")
        }
    }

    @Test("every label of an entry must match: a pod of the chart without the proxy's labels is not the front")
    func partialLabels() throws {
        // Contour's own controller pods share app.kubernetes.io/name with its Envoy pods; only Envoy forwards.
        let f = try Self.fronts(controller: "projectcontour.io/ingress-controller", gateway: false,
                                labels: ["app.kubernetes.io/name": "contour", "app.kubernetes.io/component": "contour"])
        #expect(f.proxy == [])
        #expect(f.decoy == [Self.ingressRoute + " via IngressClass edge-class (projectcontour.io/ingress-controller)"],
                "no pod carries Envoy's labels: the world-facing workload is taken for the controller")
        // Envoy Gateway's pods need all three labels.
        let g = try Self.fronts(controller: "gateway.envoyproxy.io/gatewayclass-controller", gateway: true,
                                labels: ["app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy"])
        #expect(g.proxy == [])
        #expect(g.decoy == [Self.httpRoute + " via GatewayClass edge-class (gateway.envoyproxy.io/gatewayclass-controller)"],
                "no pod carries the labels: the world-facing workload is taken for the controller")
    }

    @Test("Cilium's controllers: reserved:ingress, or the cilium-envoy pods when named; an unknown controller: the world-facing workload")
    func ciliumAndUnknown() throws {
        for (controller, gateway) in [("cilium.io/ingress-controller", false), ("io.cilium/gateway-controller", true)] {
            let route = (gateway ? Self.httpRoute + " via GatewayClass" : Self.ingressRoute + " via IngressClass")
                + " edge-class (\(controller))"
            let f = try Self.fronts(controller: controller, gateway: gateway, labels: ["k8s-app": "cilium-envoy"])
            #expect(f.envoy == [route], "\(controller)")
            #expect(f.proxy == [route], "\(controller): the cilium-envoy DaemonSet's pods")
            #expect(f.decoy == [], "\(controller)")
        }
        let u = try Self.fronts(controller: "example.com/edge", gateway: true, labels: ["app": "proxy"])
        #expect(u.decoy == [Self.httpRoute + " via GatewayClass edge-class (example.com/edge)"])
        #expect(u.proxy == [] && u.envoy == [])
    }
}
