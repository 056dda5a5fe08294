import Foundation
import FlowModel

/// Reads a Kubernetes inventory: the JSON of `kubectl get namespaces,pods,services,endpointslices -A -o json`
/// (a `List`), any `*List`, or a single object; Node objects give node addresses and labels when present, and pod
/// controllers (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs) for their `spec.selector`;
/// Ingresses, Gateways, HTTPRoutes, GRPCRoutes and admission webhook configurations as routes
/// (`InventoryReader+Routes.swift`).
/// The inventory is a whole document, not lines: problems are located by item (`items[3].status.podIPs`).
public enum InventoryReader {
    public struct Result: Sendable {
        public var inventory = Inventory()
        public var counts = IngestCounts()
        /// Item-located problems (`field` is the JSON path); the item is left out, the rest kept. A container port
        /// that is not a port number is reported here too, but only the port is left out (the pod is accepted).
        public var issues: [(field: String, message: String)] = []
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The largest inventory document read: it is parsed whole, in memory (a cluster's `kubectl get ... -o json`
    /// is far smaller; a larger input is a mistake or hostile).
    public static let maxBytes = 1 << 30

    /// Reads the document at `path` (`-` is stdin), refusing one over `limit` bytes before holding it whole:
    /// a file by its size, a stream after `limit` + 1 bytes. Errors name the file.
    public static func load(path: String, limit: Int = maxBytes) throws -> Data {
        let display = path == "-" ? "<stdin>" : path
        let tooBig = { (size: String) in
            Failure(description: "\(display): the inventory document is \(size) bytes; at most \(limit) are read "
                    + "(pass only the namespaces, pods, services, endpointslices and nodes, or split it by namespace)")
        }
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                throw Failure(description: "\(path): cannot open: is a directory")
            }
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw Failure(description: "\(path): cannot open: no such file or not readable")
            }
            handle = h
            let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
            if attributes[.type] as? FileAttributeType == .typeRegular, let size = attributes[.size] as? Int, size > limit {
                try? h.close()
                throw tooBig("\(size)")
            }
        }
        defer { if path != "-" { try? handle.close() } }
        var data = Data()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: min(1 << 20, limit + 1 - data.count))
            } catch {
                throw Failure(description: "\(display): cannot read: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { return data }
            data.append(chunk)
            if data.count > limit { throw tooBig("more than \(limit)") }
        }
    }

    /// Parses the document. Throws when it is not JSON or not Kubernetes objects at all.
    public static func read(_ data: Data) throws -> Result {
        let obj: Any
        do {
            obj = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let ns = error as NSError
            let why = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "parse error"
            throw Failure(description: "not a JSON document (\(why)); expected `kubectl get ... -o json` output")
        }
        guard let top = obj as? [String: Any], top["kind"] is String || top["items"] is [Any] else {
            throw Failure(description: "not a Kubernetes object or List (no \"kind\")")
        }
        // A key given twice is ambiguous: its item is left out (the whole document when outside the items).
        var duplicates: [Int: String] = [:]
        for path in data.withUnsafeBytes({ JSONDuplicateKeys.all(in: $0) }) {
            guard path.hasPrefix("items["), let close = path.firstIndex(of: "]"),
                  let i = Int(path[path.index(path.startIndex, offsetBy: 6)..<close]) else {
                throw Failure(description: "\(path): key given twice; a document with duplicate keys is ambiguous")
            }
            if duplicates[i] == nil { duplicates[i] = path }
        }
        var r = Result()
        r.counts.bytes = Int64(data.count)
        var items: [(String, [String: Any])] = []
        if let list = top["items"] as? [Any] {
            let listKind = (top["kind"] as? String) ?? "List"
            let implied = listKind.hasSuffix("List") && listKind != "List" ? String(listKind.dropLast(4)) : nil
            for (i, el) in list.enumerated() {
                if let d = duplicates[i] {
                    r.counts.lines += 1
                    r.counts.rejected += 1
                    r.issues.append((d, "key given twice; an item with duplicate keys is ambiguous, so it is left out"))
                    continue
                }
                guard var o = el as? [String: Any] else {
                    r.counts.lines += 1
                    r.counts.rejected += 1
                    r.issues.append(("items[\(i)]", "expected an object"))
                    continue
                }
                if o["kind"] == nil, let implied { o["kind"] = implied }
                items.append(("items[\(i)]", o))
            }
        } else {
            items.append(("", top))
        }
        var slices: [(String, [String: Any])] = []
        for (path, o) in items {
            r.counts.lines += 1
            let kind = o["kind"] as? String ?? ""
            do {
                switch kind {
                case "Namespace": try namespace(o, into: &r.inventory)
                case "Pod":
                    var warnings: [(field: String, message: String)] = []
                    try pod(o, into: &r.inventory, warnings: &warnings)
                    r.issues += warnings.map { (path.isEmpty ? $0.field : "\(path).\($0.field)", $0.message) }
                case "Service": try service(o, into: &r.inventory)
                case "Node": try node(o, into: &r.inventory)
                case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob":
                    try controller(o, kind: kind, into: &r.inventory)
                case let k where routeKinds.contains(k):
                    try route(o, kind: InventoryRoute.Kind(rawValue: k)!, into: &r.inventory)
                case "EndpointSlice":
                    slices.append((path, o))
                    continue  // counted once resolved below
                default:
                    r.counts.skipped += 1
                    continue
                }
                r.counts.accepted += 1
            } catch let e as ItemError {
                r.counts.rejected += 1
                r.issues.append((path.isEmpty ? e.field : "\(path).\(e.field)", e.message))
            }
        }
        for (path, o) in slices {
            do {
                try endpointSlice(o, into: &r.inventory)
                r.counts.accepted += 1
            } catch let e as ItemError {
                r.counts.rejected += 1
                r.issues.append((path.isEmpty ? e.field : "\(path).\(e.field)", e.message))
            }
        }
        r.inventory.controllers.sort { $0.workload < $1.workload }
        return r
    }

    /// The pod's container ports (`containers`, then `initContainers`). A `containerPort` that is not a port
    /// number (1-65535) is left out with a warning at its field; the pod is kept (the manifest decoder does the
    /// same, `ManifestDecoder.containerPorts`).
    static func containerPorts(_ spec: [String: Any], warnings: inout [(field: String, message: String)]) -> [ContainerPort] {
        var ports: [ContainerPort] = []
        for key in ["containers", "initContainers"] {
            for (i, c) in (spec[key] as? [Any] ?? []).enumerated() {
                guard let c = c as? [String: Any] else { continue }
                for (j, p) in (c["ports"] as? [Any] ?? []).enumerated() {
                    guard let p = p as? [String: Any] else { continue }
                    let field = "spec.\(key)[\(i)].ports[\(j)].containerPort"
                    guard let n = JSONRecord.int(p["containerPort"]) else {
                        warnings.append((field, "expected an integer; the port is left out"))
                        continue
                    }
                    switch ContainerPort.number(Int(clamping: n)) {
                    case .failure(let problem):
                        warnings.append((field, problem.description))
                    case .success(let number):
                        let proto = Proto(loose: p["protocol"] as? String ?? "TCP") ?? .tcp
                        ports.append(ContainerPort(name: p["name"] as? String ?? "", proto: proto, port: number))
                    }
                }
            }
        }
        return ports
    }

    struct ItemError: Error {
        var field: String
        var message: String
    }

    static func meta(_ o: [String: Any]) throws -> (name: String, namespace: String, labels: Labels, m: [String: Any]) {
        guard let m = o["metadata"] as? [String: Any] else { throw ItemError(field: "metadata", message: "missing") }
        guard let name = m["name"] as? String, !name.isEmpty else {
            throw ItemError(field: "metadata.name", message: "missing")
        }
        let namespace = m["namespace"] as? String ?? ""
        let labels = m["labels"] as? [String: String] ?? [:]
        if let p = KubernetesName.problem(namespace: namespace.isEmpty ? "default" : namespace, labels: labels) {
            switch p.part {
            case .labelKey(let k), .labelValue(let k): throw ItemError(field: "metadata.labels.\(k)", message: p.message)
            default: throw ItemError(field: "metadata.namespace", message: p.message)
            }
        }
        guard KubernetesName.isValidName(name) else {
            throw ItemError(field: "metadata.name", message: "not a valid Kubernetes name: \(IPAddr.quoted(name))")
        }
        return (name, namespace, labels, m)
    }

    /// One host address in canonical form (`IPAddr.host`), or an error naming the field.
    static func address(_ text: String, _ field: String) throws -> String {
        switch IPAddr.canonicalHost(text) {
        case .success(let a): return a
        case .failure(let e): throw ItemError(field: field, message: e.description)
        }
    }

    static func time(_ v: Any?, _ field: String) throws -> Int64? {
        guard let s = v as? String else { return nil }
        guard let t = Timestamp.parseRFC3339(s) else { throw ItemError(field: field, message: "not RFC 3339: \(s)") }
        return t
    }

    static func namespace(_ o: [String: Any], into inv: inout Inventory) throws {
        let m = try meta(o)
        guard KubernetesName.isValidNamespace(m.name) else {
            throw ItemError(field: "metadata.name", message: "not a valid Kubernetes namespace: \(IPAddr.quoted(m.name))")
        }
        var labels = m.labels
        // Set by the API server since 1.21; added for inventories from older clusters.
        labels["kubernetes.io/metadata.name"] = labels["kubernetes.io/metadata.name"] ?? m.name
        inv.namespaces[m.name] = labels
    }

    /// The workload of a pod from its controller owner reference (`WorkloadIdentity`): a pod without one is a
    /// bare pod, its own workload.
    public static func workload(podName: String, labels: Labels, owners: [[String: Any]]) -> (name: String, kind: String) {
        let o = owners.first { $0["controller"] as? Bool == true } ?? owners.first
        var owner: (kind: String, name: String)?
        if let o, let kind = o["kind"] as? String, let name = o["name"] as? String { owner = (kind, name) }
        switch WorkloadIdentity.resolve(owner: owner, ownersListed: true, podName: podName, labels: labels) {
        case .workload(let name, let kind): return (name, kind)
        case .byLabels, .unknown: return (podName, "Pod")
        }
    }

    static func pod(_ o: [String: Any], into inv: inout Inventory, warnings: inout [(field: String, message: String)]) throws {
        let m = try meta(o)
        guard !m.namespace.isEmpty else { throw ItemError(field: "metadata.namespace", message: "missing") }
        let spec = o["spec"] as? [String: Any] ?? [:]
        let status = o["status"] as? [String: Any] ?? [:]
        var ips: [String] = []
        if let list = status["podIPs"] as? [[String: Any]] {
            for (i, e) in list.enumerated() {
                if let ip = e["ip"] as? String { ips.append(try address(ip, "status.podIPs[\(i)].ip")) }
            }
        }
        if ips.isEmpty, let ip = status["podIP"] as? String, !ip.isEmpty { ips = [try address(ip, "status.podIP")] }
        let owners = m.m["ownerReferences"] as? [[String: Any]] ?? []
        let w = workload(podName: m.name, labels: m.labels, owners: owners)
        if let p = KubernetesName.problem(namespace: m.namespace, workload: w.name, kind: w.kind) {
            throw ItemError(field: "metadata.ownerReferences", message: p.message)
        }
        let ports = containerPorts(spec, warnings: &warnings)
        let created = try time(m.m["creationTimestamp"], "metadata.creationTimestamp")
        let started = try time(status["startTime"], "status.startTime")
        var until = try time(m.m["deletionTimestamp"], "metadata.deletionTimestamp")
        let phase = status["phase"] as? String ?? ""
        if until == nil, phase == "Succeeded" || phase == "Failed" {
            // A finished pod gave its IP back when its last container finished.
            var last: Int64?
            for case let cs as [String: Any] in status["containerStatuses"] as? [Any] ?? [] {
                if let state = cs["state"] as? [String: Any], let term = state["terminated"] as? [String: Any],
                   let f = try time(term["finishedAt"], "status.containerStatuses.state.terminated.finishedAt") {
                    last = max(last ?? f, f)
                }
            }
            until = last ?? started ?? created
        }
        var hostIP = status["hostIP"] as? String ?? ""
        if !hostIP.isEmpty { hostIP = try address(hostIP, "status.hostIP") }
        let node = spec["nodeName"] as? String ?? ""
        if !node.isEmpty && !hostIP.isEmpty { inv.nodes[node, default: []].insert(hostIP) }
        inv.pods.append(InventoryPod(
            namespace: m.namespace, name: m.name, uid: m.m["uid"] as? String ?? "",
            workload: .workload(m.namespace, w.name, kind: w.kind), labels: m.labels, ips: ips, node: node,
            hostIP: hostIP, hostNetwork: spec["hostNetwork"] as? Bool ?? false, ports: ports.sorted(),
            from: started ?? created ?? 0, until: until))
    }

    /// A controller's `spec.selector` (a CronJob's `spec.jobTemplate.spec.selector`), under the workload name its
    /// pods resolve to (`workload(podName:labels:owners:)` with the controller as owner). A ReplicaSet or Job
    /// owned by another controller gives way to that controller's own object when both are listed.
    static func controller(_ o: [String: Any], kind: String, into inv: inout Inventory) throws {
        let m = try meta(o)
        guard !m.namespace.isEmpty else { throw ItemError(field: "metadata.namespace", message: "missing") }
        var spec = o["spec"] as? [String: Any] ?? [:]
        var field = "spec.selector"
        if kind == "CronJob" {
            spec = (spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any] ?? [:]
            field = "spec.jobTemplate.spec.selector"
        }
        guard let sel = spec["selector"] as? [String: Any] else { return }  // Jobs usually get theirs generated
        guard let match = (sel["matchLabels"] ?? [String: String]()) as? [String: String] else {
            throw ItemError(field: field + ".matchLabels", message: "expected an object of strings")
        }
        for (k, v) in match.sorted(by: { $0.key < $1.key }) {
            guard KubernetesLabel.isValidKey(k), KubernetesLabel.isValidValue(v) else {
                throw ItemError(field: "\(field).matchLabels.\(k)", message: "not a valid label: \(IPAddr.quoted(k + "=" + v))")
            }
        }
        let expressions = (sel["matchExpressions"] as? [Any] ?? []).isEmpty == false
        var labels = m.labels
        if let hash = match["pod-template-hash"] { labels["pod-template-hash"] = hash }
        let w = kind == "ReplicaSet" || kind == "Job"
            ? workload(podName: m.name, labels: labels, owners: [["kind": kind, "name": m.name, "controller": true]])
            : (name: m.name, kind: kind)
        let c = InventoryController(workload: .workload(m.namespace, w.name, kind: w.kind), selector: match,
                                    usable: !expressions)
        if let i = inv.controllers.firstIndex(where: { $0.workload == c.workload }) {
            if kind == w.kind { inv.controllers[i] = c }  // the Deployment itself over its ReplicaSets
        } else {
            inv.controllers.append(c)
        }
    }

    static func service(_ o: [String: Any], into inv: inout Inventory) throws {
        let m = try meta(o)
        guard !m.namespace.isEmpty else { throw ItemError(field: "metadata.namespace", message: "missing") }
        let spec = o["spec"] as? [String: Any] ?? [:]
        var ips = spec["clusterIPs"] as? [String] ?? []
        if ips.isEmpty, let ip = spec["clusterIP"] as? String { ips = [ip] }
        ips = try ips.enumerated().filter { $0.element != "None" && !$0.element.isEmpty }
            .map { try address($0.element, "spec.clusterIPs[\($0.offset)]") }
        var ports: [ServicePort] = []
        for (i, el) in (spec["ports"] as? [Any] ?? []).enumerated() {
            guard let p = el as? [String: Any], let n = JSONRecord.int(p["port"]), (1...65535).contains(n) else {
                throw ItemError(field: "spec.ports[\(i)].port", message: "not a port number")
            }
            let proto = Proto(loose: p["protocol"] as? String ?? "TCP") ?? .tcp
            var target: UInt16 = UInt16(n), targetName = ""
            if let t = p["targetPort"] {
                if let s = t as? String, Int(s) == nil {
                    target = 0
                    targetName = s
                } else if let tn = JSONRecord.int(t), (1...65535).contains(tn) {
                    target = UInt16(tn)
                } else {
                    throw ItemError(field: "spec.ports[\(i)].targetPort", message: "not a port number or name")
                }
            }
            ports.append(ServicePort(name: p["name"] as? String ?? "", proto: proto, port: UInt16(n),
                                     targetPort: target, targetPortName: targetName))
        }
        let svc = InventoryService(namespace: m.namespace, name: m.name, clusterIPs: ips,
                                   selector: spec["selector"] as? [String: String] ?? [:], ports: ports.sorted())
        if let i = inv.services.firstIndex(where: { $0.namespace == m.namespace && $0.name == m.name }) {
            var merged = svc
            merged.backendIPs = inv.services[i].backendIPs
            inv.services[i] = merged
        } else {
            inv.services.append(svc)
        }
    }

    static func endpointSlice(_ o: [String: Any], into inv: inout Inventory) throws {
        let m = try meta(o)
        guard let svcName = m.labels["kubernetes.io/service-name"] else { return }
        var addrs: [String] = []
        for (i, el) in (o["endpoints"] as? [Any] ?? []).enumerated() {
            guard let e = el as? [String: Any] else { continue }
            for (j, a) in (e["addresses"] as? [String] ?? []).enumerated() {
                addrs.append(try address(a, "endpoints[\(i)].addresses[\(j)]"))
            }
        }
        if let i = inv.services.firstIndex(where: { $0.namespace == m.namespace && $0.name == svcName }) {
            inv.services[i].backendIPs = Array(Set(inv.services[i].backendIPs + addrs)).sorted()
        } else {
            inv.services.append(InventoryService(namespace: m.namespace, name: svcName, backendIPs: addrs.sorted()))
        }
    }

    static func node(_ o: [String: Any], into inv: inout Inventory) throws {
        let m = try meta(o)
        let status = o["status"] as? [String: Any] ?? [:]
        var addrs: [String] = []
        for (i, el) in (status["addresses"] as? [Any] ?? []).enumerated() {
            if let a = el as? [String: Any], let t = a["type"] as? String, t == "InternalIP" || t == "ExternalIP",
               let ip = a["address"] as? String {
                addrs.append(try address(ip, "status.addresses[\(i)].address"))
            }
        }
        inv.nodes[m.name, default: []].formUnion(addrs)
        inv.nodeLabels[m.name] = m.labels
    }

    /// What the inventory adds to the store besides itself: every pod's stable labels per workload (so selectors
    /// are chosen among all known pods, not only those seen in flows), namespace labels, and pod IPs.
    public static func batch(for inv: Inventory) -> IngestBatch {
        var b = IngestBatch()
        for p in inv.pods {
            let stable = VolatileLabels.stable(p.labels)
            if !stable.isEmpty { b.labelSets[p.workload, default: []].insert(stable.canonical) }
            if !p.hostNetwork { for ip in p.ips { b.addresses[p.workload, default: []].insert(ip) } }
        }
        b.namespaceLabels = inv.namespaces
        return b
    }
}
