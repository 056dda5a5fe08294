import Foundation
import Testing
@testable import FlowIngest
import FlowMapKit
import FlowModel
import FlowStore

/// Issue 23: an Ingress's front resolved through its IngressClass (docs/topologies.md): the class's
/// `spec.controller` says Envoy or a controller pod, a class-less Ingress takes the default class, and a
/// controller whose pods are known by label is only those pods. Over TopologyTests' fixtures (the Ingress
/// shop/web, class nginx, and the HTTPRoute shop/web-route, Gateway class cilium, share shop/web's 8080).
@Suite struct IngressClassTests {
    static func ingressClass(_ name: String, _ controller: String, isDefault: Bool = false) -> String {
        let annotations = isDefault ? #", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}"# : ""
        return #"{"kind": "IngressClass", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "\#(name)"\#(annotations)}, "spec": {"controller": "\#(controller)"}}"#
    }

    /// A store with the topology inventory, then `extra` inventory objects, and the ingress captures.
    static func store(_ extra: [String]) throws -> String {
        let db = Support.newDB()
        try Support.ingest([TopologyTests.fixture("cluster.json")], db: db, format: .inventory)
        if !extra.isEmpty {
            try Support.ingest([Support.file("extra.json", #"{"kind": "List", "items": ["# + extra.joined(separator: ",") + "]}")],
                               db: db, format: .inventory)
        }
        let (_, issues) = try Support.ingest(["ingress-controller.jsonl", "envoy-ingress.jsonl"].map(TopologyTests.fixture), db: db)
        #expect(issues.isEmpty, "\(issues)")
        return db
    }

    /// The routes `check` names per source of a denied connection into shop/web.
    static func routes(_ db: String) throws -> [String: [String]] {
        let r = try Check.run(Check.Options(policies: [Support.file("deny.yaml", TopologyTests.denyShop)], db: db))
        return Dictionary(r.report.denied.map { ($0.source, $0.routes) }) { a, _ in a }
    }

    static let nginx = "ingress-nginx/ingress-nginx-controller[Deployment]"
    static let ingress = "Ingress shop/web (shop.example.com/)"
    static let httpRoute = "HTTPRoute shop/web-route (www.example.com/)"
    /// The Ingress as `check` names it once the inventory holds its IngressClass: with the class and controller.
    static func ingress(via controller: String) -> String { ingress + " via IngressClass nginx (\(controller))" }

    @Test("IngressClass objects are read with their controller and default mark; a missing controller names its field")
    func ingressClassRead() throws {
        let text = #"{"kind": "List", "items": ["# + Self.ingressClass("nginx", "k8s.io/ingress-nginx", isDefault: true) + ","
            + Self.ingressClass("cilium", "cilium.io/ingress-controller") + ","
            + #"{"kind": "IngressClass", "metadata": {"name": "bad"}, "spec": {}}]}"#
        let r = try InventoryReader.read(Data(text.utf8))
        #expect(r.issues.map(\.field) == ["items[2].spec.controller"])
        #expect(r.inventory.routes.map { "\($0.description) -> \($0.parent)" } == [
            "IngressClass cilium (class) -> cilium.io/ingress-controller",
            "IngressClass nginx (default class) -> k8s.io/ingress-nginx",
        ])
        #expect(r.inventory.routeBackends().isEmpty, "a class has no backend")
    }

    @Test("a class whose controller is Cilium's is served by Envoy, whatever its name")
    func ciliumControllerIsEnvoy() throws {
        let before = try Self.routes(try Self.store([]))
        #expect(before[Self.nginx] == [Self.ingress], "class nginx by name: a controller pod")
        let after = try Self.routes(try Self.store([Self.ingressClass("nginx", "cilium.io/ingress-controller")]))
        #expect(after[Self.nginx] == [])
        #expect(after["reserved:ingress"] == [Self.httpRoute, Self.ingress(via: "cilium.io/ingress-controller")])
    }

    @Test("an Ingress without a class takes the default IngressClass; with none, either front")
    func defaultClass() throws {
        let classless = #"{"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "backend": {"service": {"name": "web", "port": {"name": "http"}}}}]}}]}}"#
        let either = try Self.routes(try Self.store([classless]))
        #expect(either["reserved:ingress"] == [Self.httpRoute, Self.ingress])
        #expect(either[Self.nginx] == [Self.ingress])
        let defaulted = try Self.routes(try Self.store([classless, Self.ingressClass("nginx", "k8s.io/ingress-nginx", isDefault: true)]))
        #expect(defaulted["reserved:ingress"] == [Self.httpRoute], "the default class is ingress-nginx: not Envoy")
        #expect(defaulted[Self.nginx] == [Self.ingress(via: "k8s.io/ingress-nginx")])
        // Two default classes: the API defaults nothing, nor does FlowMap.
        let two = try Self.routes(try Self.store([classless, Self.ingressClass("nginx", "k8s.io/ingress-nginx", isDefault: true),
                                                  Self.ingressClass("cilium", "cilium.io/ingress-controller", isDefault: true)]))
        #expect(two["reserved:ingress"] == [Self.httpRoute, Self.ingress])
    }

    @Test("a controller whose pods are known by label: only those workloads are the front")
    func knownControllerPods() throws {
        let cls = Self.ingressClass("nginx", "k8s.io/ingress-nginx")
        // The fixture's controller pod is labelled app=ingress-nginx only: nothing names the controller's pods, so
        // a workload observed receiving from outside is taken for it.
        #expect(try Self.routes(try Self.store([cls]))[Self.nginx] == [Self.ingress(via: "k8s.io/ingress-nginx")])
        let labelled = #"{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "real-controller", "namespace": "ingress-nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"}}, "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 443}]}]}, "status": {"podIP": "10.0.2.99"}}"#
        let r = try Self.routes(try Self.store([cls, labelled]))
        #expect(r[Self.nginx] == [], "another world-facing workload than the controller's pods: no route")
    }

    static func gatewayClass(_ name: String, _ controller: String) -> String {
        #"{"kind": "GatewayClass", "apiVersion": "gateway.networking.k8s.io/v1", "metadata": {"name": "\#(name)"}, "spec": {"controllerName": "\#(controller)"}}"#
    }

    @Test("GatewayClass objects are read with their controller; a missing controllerName names its field")
    func gatewayClassRead() throws {
        let text = #"{"kind": "List", "items": ["# + Self.gatewayClass("cilium", "io.cilium/gateway-controller") + ","
            + #"{"kind": "GatewayClass", "metadata": {"name": "bad"}, "spec": {}}]}"#
        let r = try InventoryReader.read(Data(text.utf8))
        #expect(r.issues.map(\.field) == ["items[1].spec.controllerName"])
        #expect(r.inventory.routes.map { "\($0.description) -> \($0.parent)" } == [
            "GatewayClass cilium (class) -> io.cilium/gateway-controller",
        ])
        #expect(r.inventory.routeBackends().isEmpty, "a class has no backend")
    }

    /// cluster.json's Gateway shop/public has class `cilium`; its HTTPRoute shop/web-route goes to shop/web.
    @Test("a Gateway's class resolves to its GatewayClass's controller: check and explain name the route and the controller")
    func gatewayClassController() throws {
        // Without the GatewayClass: class `cilium` by name is Envoy, and the route is named without a controller.
        #expect(try Self.routes(try Self.store([]))["reserved:ingress"] == [Self.httpRoute])
        let cilium = try Self.store([Self.gatewayClass("cilium", "io.cilium/gateway-controller")])
        let viaCilium = Self.httpRoute + " via GatewayClass cilium (io.cilium/gateway-controller)"
        #expect(try Self.routes(cilium)["reserved:ingress"] == [viaCilium])
        let x = try Explain.run(Explain.Options(policies: [Support.file("deny.yaml", TopologyTests.denyShop)], db: cilium,
                                                source: "reserved:ingress", destination: "shop/web", port: "TCP/8080"))
        #expect(x.routes == [viaCilium], "explain names the route and its controller")
        // A class named `cilium` served by Envoy Gateway: not Cilium's Envoy but a proxy pod (none labelled as
        // Envoy Gateway's here, so the workload observed receiving from outside).
        let eg = try Self.routes(try Self.store([Self.gatewayClass("cilium", "gateway.envoyproxy.io/gatewayclass-controller")]))
        #expect(eg["reserved:ingress"] == [], "the controller decides, not the class's name")
        #expect(eg[Self.nginx] == [Self.httpRoute + " via GatewayClass cilium (gateway.envoyproxy.io/gatewayclass-controller)",
                                   Self.ingress])
    }
}
