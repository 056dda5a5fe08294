import Foundation
import Testing
import FlowIngest
import FlowModel
import Policy

/// One `ContainerPort` (FlowModel) for the inventory reader and the manifest decoder: a `containerPort` outside
/// 1-65535 (or not an integer) is left out with a warning at its field, and the pod with its other ports is kept,
/// in both. Before, the inventory reader rejected the whole pod ("not a port number", no index in the field) and
/// the manifest decoder kept port 0 and 70000 silently.
@Suite("Container ports: one type, out-of-range ports skipped with a located warning")
struct ContainerPortTests {
    static let kept = [ContainerPort(name: "http", proto: .tcp, port: 8080), ContainerPort(name: "dns", proto: .udp, port: 53)]

    @Test("the inventory reader keeps the pod, leaves out ports 0, 70000 and \"x\", and names each field")
    func inventory() throws {
        let json = #"""
        {"kind": "List", "items": [
          {"kind": "Namespace", "metadata": {"name": "shop"}},
          {"kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop"},
           "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 0, "name": "zero"},
                                                          {"containerPort": 8080, "name": "http"},
                                                          {"containerPort": 70000, "name": "big"}]}],
                    "initContainers": [{"name": "i", "ports": [{"containerPort": "x"},
                                                               {"containerPort": 53, "name": "dns", "protocol": "UDP"}]}]},
           "status": {"podIP": "10.0.0.5"}}
        ]}
        """#
        let r = try InventoryReader.read(Data(json.utf8))
        let pod = try #require(r.inventory.pods.first { $0.name == "web-0" })
        #expect(pod.ports == Self.kept.sorted())
        #expect(r.counts.rejected == 0)
        #expect(r.issues.map(\.field) == [
            "items[1].spec.containers[0].ports[0].containerPort",
            "items[1].spec.containers[0].ports[2].containerPort",
            "items[1].spec.initContainers[0].ports[0].containerPort",
        ])
        #expect(r.issues.map(\.message) == [
            "Invalid value: 0: must be between 1 and 65535, inclusive; the port is left out",
            "Invalid value: 70000: must be between 1 and 65535, inclusive; the port is left out",
            "expected an integer; the port is left out",
        ])
    }

    @Test("the manifest decoder keeps the pod and the controller, and warns with file, line, object and field")
    func manifests() throws {
        let yaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web-0, namespace: shop}
        spec:
          containers:
          - name: c
            ports:
            - {containerPort: 0, name: zero}
            - {containerPort: 8080, name: http}
            - containerPort: 70000
              name: big
          initContainers:
          - name: i
            ports:
            - {containerPort: "x"}
            - {containerPort: 53, name: dns, protocol: UDP}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          template:
            metadata: {labels: {app: api}}
            spec:
              containers:
              - {name: c, ports: [{containerPort: 65536, name: big}, {containerPort: 9000, name: http}]}
        """
        let set = ManifestReader.parse(text: yaml, file: "m.yaml")
        #expect(set.issues.isEmpty)
        let pod = try #require(set.pods.first)
        #expect(pod.containerPorts == Self.kept)
        #expect(set.controllers.first?.containerPorts == [ContainerPort(name: "http", port: 9000)])
        #expect(set.warnings.map(\.description) == [
            "m.yaml:8: document 0: Pod shop/web-0: spec.containers[0].ports[0].containerPort: "
                + "Invalid value: 0: must be between 1 and 65535, inclusive; the port is left out",
            "m.yaml:10: document 0: Pod shop/web-0: spec.containers[0].ports[2].containerPort: "
                + "Invalid value: 70000: must be between 1 and 65535, inclusive; the port is left out",
            "m.yaml:15: document 0: Pod shop/web-0: spec.initContainers[0].ports[0].containerPort: "
                + "expected an integer, got string; the port is left out",
            "m.yaml:26: document 1: Deployment shop/api: spec.template.spec.containers[0].ports[0].containerPort: "
                + "Invalid value: 65536: must be between 1 and 65535, inclusive; the port is left out",
        ])
    }
}
