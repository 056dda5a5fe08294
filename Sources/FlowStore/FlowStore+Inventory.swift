import FlowModel

/// The Kubernetes inventory in the store (schema 2), and the Services flows were addressed to.
extension FlowStore {
    /// Writes `batch` (the inventory's label sets, namespace labels and pod IPs) and the inventory itself in one
    /// transaction with the source record. The same content ingested again is a duplicate and writes nothing.
    /// A later inventory updates pods (labels, the end of their IP window) and replaces the Services it names.
    public func writeInventory(_ inv: Inventory, batch: IngestBatch, counts: IngestCounts, path: String,
                               contentHash: String?, now: Int64, legacyHash: String? = nil) throws -> WriteResult {
        try db.transaction {
            try db.lockExclusive()  // PostgreSQL: one inventory at a time, and no batch beside it
            let r = try write(batch, counts: counts, path: path, format: "inventory", contentHash: contentHash,
                              now: now, legacyHash: legacyHash)
            guard r == .written else { return r }
            try storeInventory(inv)
            return .written
        }
    }

    /// The inventory tables' part of `writeInventory` (also `absorb`, for an inventory merged from another
    /// store): pods updated, the Services it describes replaced, nodes, node labels and controllers. Applying the
    /// same inventory twice changes nothing.
    func storeInventory(_ inv: Inventory) throws {
        try db.transaction {
            let upsertPod = try db.prepare("""
                INSERT INTO inventory_pods (namespace, name, uid, endpoint_id, labels, node, host_ip, host_network,
                                            valid_from, valid_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (namespace, name, uid) DO UPDATE SET
                  endpoint_id = excluded.endpoint_id, labels = excluded.labels, node = excluded.node,
                  host_ip = excluded.host_ip, host_network = excluded.host_network,
                  valid_from = \(Self.least("valid_from", table: "inventory_pods")),
                  valid_until = coalesce(excluded.valid_until, inventory_pods.valid_until)
                """)
            let insertIP = try db.prepare(
                "INSERT INTO inventory_pod_ips (namespace, name, uid, ip) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            let insertPort = try db.prepare("""
                INSERT INTO inventory_container_ports (namespace, name, uid, port_name, proto, port)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            for p in inv.pods {
                let key: [Value] = [.text(p.namespace), .text(p.name), .text(p.uid)]
                try upsertPod.bind(key + [
                    .int(try endpointID(p.workload)), .text(p.labels.canonical), .text(p.node), .text(p.hostIP),
                    .int(p.hostNetwork ? 1 : 0), .int(p.from), p.until.map { .int($0) } ?? .null,
                ]).run()
                for ip in p.ips { try insertIP.bind(key + [.text(ip)]).run() }
                for c in p.ports {
                    try insertPort.bind(key + [.text(c.name), .text(c.proto.rawValue), .int(Int64(c.port))]).run()
                }
            }
            let upsertService = try db.prepare("""
                INSERT INTO inventory_services (namespace, name, selector) VALUES (?, ?, ?)
                ON CONFLICT (namespace, name) DO UPDATE SET selector = excluded.selector
                """)
            for s in inv.services {
                let key: [Value] = [.text(s.namespace), .text(s.name)]
                let described = !s.ports.isEmpty || !s.clusterIPs.isEmpty || !s.selector.isEmpty
                if described {
                    try upsertService.bind(key + [.text(s.selector.canonical)]).run()
                    for t in ["inventory_service_ips", "inventory_service_ports"] {
                        try db.prepare("DELETE FROM \(t) WHERE namespace = ? AND name = ?").bind(key).run()
                    }
                    let ip = try db.prepare("INSERT INTO inventory_service_ips (namespace, name, ip) VALUES (?, ?, ?)")
                    for a in Set(s.clusterIPs) { try ip.bind(key + [.text(a)]).run() }
                    let port = try db.prepare("""
                        INSERT INTO inventory_service_ports (namespace, name, port_name, proto, port, target_port,
                                                             target_port_name)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                        """)
                    for sp in s.ports {
                        try port.bind(key + [.text(sp.name), .text(sp.proto.rawValue), .int(Int64(sp.port)),
                                             .int(Int64(sp.targetPort)), .text(sp.targetPortName)]).run()
                    }
                } else {
                    try db.prepare("INSERT INTO inventory_services (namespace, name, selector) VALUES (?, ?, '') "
                                   + "ON CONFLICT DO NOTHING").bind(key).run()
                }
                if !s.backendIPs.isEmpty {
                    try db.prepare("DELETE FROM inventory_service_backends WHERE namespace = ? AND name = ?")
                        .bind(key).run()
                    let b = try db.prepare(
                        "INSERT INTO inventory_service_backends (namespace, name, ip) VALUES (?, ?, ?)")
                    for a in Set(s.backendIPs) { try b.bind(key + [.text(a)]).run() }
                }
            }
            let node = try db.prepare(
                "INSERT INTO inventory_nodes (name, address) VALUES (?, ?) ON CONFLICT DO NOTHING")
            for (n, addrs) in inv.nodes {
                for a in addrs { try node.bind(.text(n), .text(a)).run() }
            }
            let nodeLabels = try db.prepare("""
                INSERT INTO inventory_node_labels (name, labels) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET labels = excluded.labels
                """)
            for (n, labels) in inv.nodeLabels { try nodeLabels.bind(.text(n), .text(labels.canonical)).run() }
            let controller = try db.prepare("""
                INSERT INTO inventory_controllers (namespace, name, workload_kind, selector, usable)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (namespace, name, workload_kind) DO UPDATE SET
                  selector = excluded.selector, usable = excluded.usable
                """)
            for c in inv.controllers {
                try controller.bind(.text(c.workload.namespace), .text(c.workload.name), .text(c.workload.workloadKind),
                                    .text(c.selector.canonical), .int(c.usable ? 1 : 0)).run()
            }
            // An object's rows are replaced as a whole: an edited Ingress keeps none of its old rules.
            let dropRoute = try db.prepare("DELETE FROM inventory_routes WHERE kind = ? AND namespace = ? AND name = ?")
            for r in Set(inv.routes.map { [$0.kind.rawValue, $0.namespace, $0.name] }) {
                try dropRoute.bind(r.map { .text($0) }).run()
            }
            let route = try db.prepare("""
                INSERT INTO inventory_routes (kind, namespace, name, rule, service_namespace, service_name, service_port,
                                              service_port_name, parent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            for r in inv.routes {
                try route.bind(.text(r.kind.rawValue), .text(r.namespace), .text(r.name), .text(r.rule),
                               .text(r.serviceNamespace), .text(r.serviceName), .int(Int64(r.servicePort)),
                               .text(r.servicePortName), .text(r.parent)).run()
            }
        }
    }

    /// The inventory's routes (schema 11), sorted; a row of a kind this FlowMap does not know is left out.
    public func routes() throws -> [InventoryRoute] {
        let q = try db.prepare("""
            SELECT kind, namespace, name, rule, service_namespace, service_name, service_port, service_port_name, parent
            FROM inventory_routes
            """)
        var out = [InventoryRoute]()
        while try q.step() {
            guard let kind = InventoryRoute.Kind(rawValue: q.text(0)), let port = UInt16(exactly: q.int(6)) else { continue }
            out.append(InventoryRoute(kind: kind, namespace: q.text(1), name: q.text(2), rule: q.text(3),
                                      serviceNamespace: q.text(4), serviceName: q.text(5), servicePort: port,
                                      servicePortName: q.text(7), parent: q.text(8)))
        }
        return out.sorted()
    }

    /// The inventory's nodes: addresses by node name (Node objects and pods' hostIP), and the labels of the
    /// nodes whose Node object was ingested (schema 9).
    public func nodes() throws -> (addresses: [String: Set<String>], labels: [String: Labels]) {
        var addresses = [String: Set<String>](), labels = [String: Labels]()
        let n = try db.prepare("SELECT name, address FROM inventory_nodes")
        while try n.step() { addresses[n.text(0), default: []].insert(n.text(1)) }
        let l = try db.prepare("SELECT name, labels FROM inventory_node_labels")
        while try l.step() {
            labels[l.text(0)] = Labels.fromCanonical(l.text(1))
            if addresses[l.text(0)] == nil { addresses[l.text(0)] = [] }
        }
        return (addresses, labels)
    }

    /// The nodes each workload's inventoried pods ran on (pods without a node left out).
    public func workloadNodes() throws -> [Endpoint: Set<String>] {
        let q = try db.prepare("""
            SELECT DISTINCT e.kind, e.namespace, e.name, e.workload_kind, p.node
            FROM inventory_pods p JOIN endpoints e ON e.id = p.endpoint_id WHERE p.node != ''
            """)
        var out = [Endpoint: Set<String>]()
        while try q.step() {
            guard let kind = EndpointKind(rawValue: q.text(0)) else { continue }
            out[Endpoint(kind: kind, namespace: q.text(1), name: q.text(2), workloadKind: q.text(3)), default: []]
                .insert(q.text(4))
        }
        return out
    }

    /// The endpoint's row id, inserting it when new.
    func endpointID(_ e: Endpoint) throws -> Int64 {
        let vals = Self.endpointValues(e)
        try db.prepare("INSERT INTO endpoints (kind, namespace, name, workload_kind, cluster) VALUES (?, ?, ?, ?, ?) "
                       + "ON CONFLICT DO NOTHING").bind(vals).run()
        let q = try db.prepare(
            "SELECT id FROM endpoints WHERE kind = ? AND namespace = ? AND name = ? AND workload_kind = ? AND cluster = ?")
        guard try q.bind(vals).step() else { throw db.error(1) }
        return q.int(0)
    }

    /// Services flows to each endpoint were addressed to, sorted.
    public func services() throws -> [Endpoint: [String]] {
        let q = try db.prepare("""
            SELECT DISTINCT e.kind, e.namespace, e.name, e.workload_kind, s.service, \(try clusterColumn == "cluster" ? "e.cluster" : "''")
            FROM source_services s JOIN endpoints e ON e.id = s.endpoint_id ORDER BY s.service
            """)
        var out = [Endpoint: [String]]()
        while try q.step() {
            guard let kind = EndpointKind(rawValue: q.text(0)) else { continue }
            out[Endpoint(kind: kind, namespace: q.text(1), name: q.text(2), workloadKind: q.text(3),
                         cluster: q.text(5)), default: []]
                .append(q.text(4))
        }
        return out
    }

    /// The stored inventory (empty when none was ingested), in a stable order.
    public func inventory() throws -> Inventory {
        var inv = Inventory()
        let ns = try db.prepare("SELECT name, labels FROM namespaces ORDER BY name")
        while try ns.step() { inv.namespaces[ns.text(0)] = Labels.fromCanonical(ns.text(1)) }
        struct Key: Hashable { var ns: String, name: String, uid: String }
        var ips = [Key: [String]]()
        let qi = try db.prepare("SELECT namespace, name, uid, ip FROM inventory_pod_ips ORDER BY ip")
        while try qi.step() { ips[Key(ns: qi.text(0), name: qi.text(1), uid: qi.text(2)), default: []].append(qi.text(3)) }
        var ports = [Key: [ContainerPort]]()
        let qp = try db.prepare("SELECT namespace, name, uid, port_name, proto, port FROM inventory_container_ports")
        while try qp.step() {
            guard let proto = Proto(rawValue: qp.text(4)), let port = UInt16(exactly: qp.int(5)) else { continue }
            ports[Key(ns: qp.text(0), name: qp.text(1), uid: qp.text(2)), default: []]
                .append(ContainerPort(name: qp.text(3), proto: proto, port: port))
        }
        let q = try db.prepare("""
            SELECT p.namespace, p.name, p.uid, e.kind, e.namespace, e.name, e.workload_kind, p.labels, p.node,
                   p.host_ip, p.host_network, p.valid_from, p.valid_until
            FROM inventory_pods p JOIN endpoints e ON e.id = p.endpoint_id
            ORDER BY p.namespace, p.name, p.valid_from, p.uid
            """)
        while try q.step() {
            guard let kind = EndpointKind(rawValue: q.text(3)) else { continue }
            let k = Key(ns: q.text(0), name: q.text(1), uid: q.text(2))
            inv.pods.append(InventoryPod(
                namespace: k.ns, name: k.name, uid: k.uid,
                workload: Endpoint(kind: kind, namespace: q.text(4), name: q.text(5), workloadKind: q.text(6)),
                labels: Labels.fromCanonical(q.text(7)), ips: ips[k] ?? [], node: q.text(8), hostIP: q.text(9),
                hostNetwork: q.int(10) != 0, ports: (ports[k] ?? []).sorted(), from: q.int(11),
                until: q.isNull(12) ? nil : q.int(12)))
        }
        struct SKey: Hashable { var ns: String, name: String }
        var sips = [SKey: [String]](), sports = [SKey: [ServicePort]](), backends = [SKey: [String]]()
        let a = try db.prepare("SELECT namespace, name, ip FROM inventory_service_ips ORDER BY ip")
        while try a.step() { sips[SKey(ns: a.text(0), name: a.text(1)), default: []].append(a.text(2)) }
        let b = try db.prepare("SELECT namespace, name, ip FROM inventory_service_backends ORDER BY ip")
        while try b.step() { backends[SKey(ns: b.text(0), name: b.text(1)), default: []].append(b.text(2)) }
        let c = try db.prepare("""
            SELECT namespace, name, port_name, proto, port, target_port, target_port_name FROM inventory_service_ports
            """)
        while try c.step() {
            guard let proto = Proto(rawValue: c.text(3)), let port = UInt16(exactly: c.int(4)),
                  let target = UInt16(exactly: c.int(5)) else { continue }
            sports[SKey(ns: c.text(0), name: c.text(1)), default: []].append(
                ServicePort(name: c.text(2), proto: proto, port: port, targetPort: target, targetPortName: c.text(6)))
        }
        let s = try db.prepare("SELECT namespace, name, selector FROM inventory_services ORDER BY namespace, name")
        while try s.step() {
            let k = SKey(ns: s.text(0), name: s.text(1))
            inv.services.append(InventoryService(
                namespace: k.ns, name: k.name, clusterIPs: sips[k] ?? [], selector: Labels.fromCanonical(s.text(2)),
                ports: (sports[k] ?? []).sorted(), backendIPs: backends[k] ?? []))
        }
        (inv.nodes, inv.nodeLabels) = try nodes()
        let k = try db.prepare("""
            SELECT namespace, name, workload_kind, selector, usable FROM inventory_controllers
            ORDER BY namespace, name, workload_kind
            """)
        while try k.step() {
            inv.controllers.append(InventoryController(
                workload: .workload(k.text(0), k.text(1), kind: k.text(2)), selector: Labels.fromCanonical(k.text(3)),
                usable: k.int(4) != 0))
        }
        inv.routes = try routes()
        return inv
    }
}
