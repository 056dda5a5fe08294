import FlowModel

/// Turns parsed documents into model objects, validating NetworkPolicies the way the API server does
/// (ValidateNetworkPolicy) and reporting each problem with its field path. A policy with any issue is rejected.
public struct ManifestDecoder {
    public var file: String
    var issues: [ManifestIssue] = []
    var document = 0
    var object = ""

    public init(file: String) { self.file = file }

    /// Decodes one document (a single object or a `kind: List`) into `set`.
    public mutating func decode(document index: Int, _ node: ManifestNode, into set: inout ManifestSet) {
        document = index
        decodeObject(node, path: "", into: &set)
        set.issues += issues
        issues.removeAll()
    }

    mutating func issue(_ path: String, _ node: ManifestNode?, _ message: String) {
        issues.append(ManifestIssue(file: file, document: document, path: path, line: node?.line ?? 0,
                                    object: object, message: message))
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// `listKind` / `listAPIVersion`: the item kind and apiVersion a typed list (`PodList`, `NetworkPolicyList`)
    /// implies for items that carry none, as `kubectl get -o yaml` writes them.
    mutating func decodeObject(_ node: ManifestNode, path: String, into set: inout ManifestSet,
                               listKind: String = "", listAPIVersion: String = "") {
        guard node.object != nil else {
            set.skipped["(not an object)", default: 0] += 1
            return
        }
        var kind = node["kind"]?.scalarText ?? ""
        if kind.isEmpty { kind = listKind }
        var apiVersion = node["apiVersion"]?.scalarText ?? ""
        if apiVersion.isEmpty { apiVersion = listAPIVersion }
        if kind.hasSuffix("List") {
            guard let items = node["items"] else {
                set.skipped[kind, default: 0] += 1  // an empty list as some tools write it, or another kind
                return
            }
            guard let list = items.array else {
                if !items.isNull { issue(Self.join(path, "items"), items, "expected a list, got \(items.typeName)") }
                return
            }
            let itemKind = kind == "List" ? "" : String(kind.dropLast(4))
            for (i, item) in list.enumerated() {
                decodeObject(item, path: "\(Self.join(path, "items"))[\(i)]", into: &set,
                             listKind: itemKind, listAPIVersion: itemKind.isEmpty ? "" : apiVersion)
            }
            return
        }
        let meta = node["metadata"]
        let name = meta?["name"]?.scalarText ?? ""
        var namespace = meta?["namespace"]?.scalarText ?? ""
        if namespace.isEmpty { namespace = "default" }
        let loc = SourceLocation(file: file, document: document, line: node.line)
        if let k = AdminPolicy.Kind(rawValue: kind), apiVersion.hasPrefix(Self.adminGroup + "/") {
            decodeAdmin(k, node, path: path, apiVersion: apiVersion, location: loc, into: &set)
            return
        }
        if let u = UnsupportedKind.of(kind: kind, apiVersion: apiVersion) {
            set.unsupported[u, default: []].append(loc)
            return
        }
        if let message = Self.kindError(kind: kind, apiVersion: apiVersion) {
            issue(Self.join(path, "kind"), node["kind"] ?? node, message)
            return
        }
        switch kind {
        case "NetworkPolicy":
            object = "NetworkPolicy \(namespace)/\(name)"
            defer { object = "" }
            guard apiVersion == "networking.k8s.io/v1" else {
                issue(Self.join(path, "apiVersion"), node["apiVersion"],
                      "unsupported apiVersion \"\(apiVersion)\" for NetworkPolicy (expected networking.k8s.io/v1)")
                return
            }
            checkKnown(node, ["apiVersion", "kind", "metadata", "spec", "status"], path: path)
            if let m = meta, m.object != nil {
                checkKnown(m, Self.objectMetaFields, path: Self.join(path, "metadata"))
            }
            if let p = decodePolicy(node, path: path, name: name, namespace: namespace, location: loc) {
                set.policies.append(p)
            }
        case _ where Self.ciliumKinds.contains(kind):
            if let p = decodeCiliumPolicy(node, kind: kind, path: path, name: name, namespace: namespace,
                                          location: loc) {
                set.ciliumPolicies.append(p)
            }
        case "Namespace":
            guard !name.isEmpty else {
                issue(Self.join(path, "metadata.name"), meta, "Required value: name is required")
                return
            }
            set.namespaces[name] = ClusterNamespace(name: name, labels: labels(meta?["labels"],
                                                                               path: Self.join(path, "metadata.labels")))
        case "Pod":
            set.pods.append(decodePod(node, path: path, name: name, namespace: namespace, location: loc, into: &set))
        case _ where ControllerManifest.kinds.contains(kind):
            var template = node["spec"]?["template"]
            if kind == "CronJob" { template = node["spec"]?["jobTemplate"]?["spec"]?["template"] }
            let podSpec = template?["spec"]
            let owner = controllerOwner(meta)
            set.controllers.append(ControllerManifest(
                kind: kind, name: name, namespace: namespace,
                templateLabels: labels(template?["metadata"]?["labels"], path: ""),
                containerPorts: containerPorts(podSpec, path: Self.join(path, kind == "CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec"),
                                               object: "\(kind) \(namespace)/\(name)", into: &set),
                hostNetwork: podSpec?["hostNetwork"].map(bool) ?? false,
                ownerKind: owner.kind, ownerName: owner.name, location: loc))
        default:
            set.skipped[kind.isEmpty ? "(none)" : kind, default: 0] += 1
        }
    }

    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]

    /// Kinds of the built-in API groups FlowMap reads or that often sit beside policies; any other kind in these
    /// groups is a typo the API server would refuse (`kind: NetworkPolcy`).
    static let builtInKinds: [String: Set<String>] = [
        "": ["Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace", "Node",
             "PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController",
             "ResourceQuota", "Secret", "Service", "ServiceAccount", "List"],
        "apps": ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
        "batch": ["CronJob", "Job"],
        "networking.k8s.io": ["IPAddress", "Ingress", "IngressClass", "NetworkPolicy", "ServiceCIDR"],
    ]

    /// The API server's answer to a kind it does not know in a built-in group, or to an object without a kind;
    /// nil for every other kind (CRDs FlowMap does not know are skipped as harmless).
    static func kindError(kind: String, apiVersion: String) -> String? {
        if kind.isEmpty {
            return apiVersion.isEmpty ? nil : "Object 'Kind' is missing (apiVersion \"\(apiVersion)\")"
        }
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        let nearPolicy = kind != "NetworkPolicy" && editDistance(kind.lowercased(), "networkpolicy") <= 2
        if let known = builtInKinds[group], !known.contains(kind) || nearPolicy {
            let hint = nearPolicy ? " (did you mean NetworkPolicy?)"
                : known.sorted().first { editDistance($0.lowercased(), kind.lowercased()) <= 2 }
                    .map { " (did you mean \($0)?)" } ?? ""
            return "no matches for kind \"\(kind)\" in version \"\(apiVersion)\"\(hint)"
        }
        if nearPolicy { return "unknown kind \"\(kind)\" (did you mean NetworkPolicy?)" }
        return nil
    }

    /// Levenshtein distance (kind names are short).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        var row = Array(0...y.count)
        for (i, cx) in x.enumerated() {
            var prev = row[0]
            row[0] = i + 1
            for (j, cy) in y.enumerated() {
                let cur = row[j + 1]
                row[j + 1] = min(cur + 1, row[j] + 1, prev + (cx == cy ? 0 : 1))
                prev = cur
            }
        }
        return row[y.count]
    }

    // MARK: - Pods and controllers (lenient: these only supply labels, IPs and ports)

    func bool(_ n: ManifestNode) -> Bool {
        if case .bool(let b) = n.value { return b }
        return n.scalarText == "true"
    }

    mutating func labels(_ node: ManifestNode?, path: String) -> [String: String] {
        guard let pairs = node?.object else { return [:] }
        var out: [String: String] = [:]
        for p in pairs { out[p.key] = p.value.scalarText ?? "" }
        return out
    }

    func controllerOwner(_ meta: ManifestNode?) -> (kind: String, name: String) {
        let owners = meta?["ownerReferences"]?.array ?? []
        let chosen = owners.first { $0["controller"].map(bool) ?? false } ?? (owners.count == 1 ? owners[0] : nil)
        guard let o = chosen else { return ("", "") }
        return (o["kind"]?.scalarText ?? "", o["name"]?.scalarText ?? "")
    }

    /// The container ports of a pod spec (`containers`, then `initContainers`). A `containerPort` that is not a
    /// port number (1-65535) is left out with a warning at its line and field; the object is kept (the inventory
    /// reader does the same, `InventoryReader.containerPorts`).
    func containerPorts(_ podSpec: ManifestNode?, path: String, object: String,
                        into set: inout ManifestSet) -> [ContainerPort] {
        var out: [ContainerPort] = []
        let (file, document) = (file, document)
        for key in ["containers", "initContainers"] {
            for (i, c) in (podSpec?[key]?.array ?? []).enumerated() {
                for (j, p) in (c["ports"]?.array ?? []).enumerated() {
                    let field = Self.join(path, "\(key)[\(i)].ports[\(j)].containerPort")
                    let node = p["containerPort"]
                    let warn = { (message: String) in
                        ManifestIssue(file: file, document: document, path: field, line: (node ?? p).line,
                                      object: object, message: message)
                    }
                    guard case .int(let n)? = node?.value else {
                        set.warnings.append(warn(node.map { "expected an integer, got \($0.typeName); the port is left out" }
                                                 ?? "Required value: containerPort is required; the port is left out"))
                        continue
                    }
                    switch ContainerPort.number(n) {
                    case .failure(let problem):
                        set.warnings.append(warn(problem.description))
                    case .success(let number):
                        let proto = p["protocol"]?.scalarText.flatMap { Proto(rawValue: $0) } ?? .tcp
                        out.append(ContainerPort(name: p["name"]?.scalarText ?? "", proto: proto, port: number))
                    }
                }
            }
        }
        return out
    }

    mutating func decodePod(_ node: ManifestNode, path: String, name: String, namespace: String,
                            location: SourceLocation, into set: inout ManifestSet) -> PodManifest {
        let meta = node["metadata"]
        let spec = node["spec"], status = node["status"]
        var ips: [IPAddr] = []
        for p in status?["podIPs"]?.array ?? [] {
            if let t = p["ip"]?.scalarText, let ip = IPAddr(t), !ips.contains(ip) { ips.append(ip) }
        }
        if let t = status?["podIP"]?.scalarText, let ip = IPAddr(t), !ips.contains(ip) { ips.insert(ip, at: 0) }
        let owner = controllerOwner(meta)
        return PodManifest(
            name: name, namespace: namespace, labels: labels(meta?["labels"], path: ""),
            ownerKind: owner.kind, ownerName: owner.name, hostNetwork: spec?["hostNetwork"].map(bool) ?? false,
            nodeName: spec?["nodeName"]?.scalarText ?? "", ips: ips,
            hostIP: status?["hostIP"]?.scalarText.flatMap { IPAddr($0) },
            containerPorts: containerPorts(spec, path: Self.join(path, "spec"), object: "Pod \(namespace)/\(name)",
                                           into: &set),
            location: location)
    }

    // MARK: - NetworkPolicy (strict: ValidateNetworkPolicy)

    mutating func decodePolicy(_ node: ManifestNode, path: String, name: String, namespace: String,
                               location: SourceLocation) -> NetworkPolicy? {
        let before = issues.count
        checkName(node, path: path, name: name, generateName: true, namespace: namespace)
        let specPath = Self.join(path, "spec")
        guard let spec = node["spec"], spec.object != nil else {
            issue(specPath, node["spec"], "Required value: spec is required")
            return nil
        }
        checkKnown(spec, ["podSelector", "ingress", "egress", "policyTypes"], path: specPath)
        var podSelector = LabelSelector.everything
        if let ps = spec["podSelector"], !ps.isNull {
            podSelector = selector(ps, path: Self.join(specPath, "podSelector")) ?? .everything
        }
        let ingress = rules(spec["ingress"], path: Self.join(specPath, "ingress"), peersKey: "from")
        let egress = rules(spec["egress"], path: Self.join(specPath, "egress"), peersKey: "to")
        var types: Set<PolicyType>? = nil
        if let pt = spec["policyTypes"], !pt.isNull {
            let ptPath = Self.join(specPath, "policyTypes")
            if let list = pt.array {
                if list.count > 2 {
                    issue(ptPath, pt, "Too many: \(list.count): must have at most 2 items")
                }
                var set = Set<PolicyType>()
                for (i, t) in list.enumerated() {
                    if let s = t.scalarText, let v = PolicyType(rawValue: s) {
                        set.insert(v)
                    } else {
                        issue("\(ptPath)[\(i)]", t,
                              "Unsupported value: \"\(t.scalarText ?? t.typeName)\": supported values: \"Ingress\", \"Egress\"")
                    }
                }
                if !list.isEmpty { types = set }  // empty list defaults like an absent one (A4)
            } else {
                issue(ptPath, pt, "expected a list, got \(pt.typeName)")
            }
        }
        guard issues.count == before else { return nil }
        var policy = NetworkPolicy(name: name, namespace: namespace, podSelector: podSelector,
                                   policyTypes: types ?? NetworkPolicy.defaultPolicyTypes(egressRuleCount: egress.count),
                                   ingress: ingress, egress: egress, location: location)
        policy.managedBy = node["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.scalarText ?? ""
        return policy
    }

    /// Checks an object's `metadata.name` (required; `generateName`: the API server's message names it too) and,
    /// unless nil, its `metadata.namespace`, as the API server does. True when the name is valid.
    @discardableResult
    mutating func checkName(_ node: ManifestNode, path: String, name: String, generateName: Bool,
                            namespace: String?) -> Bool {
        let metaPath = Self.join(path, "metadata")
        var valid = false
        if name.isEmpty {
            issue(Self.join(metaPath, "name"), node["metadata"],
                  "Required value: name \(generateName ? "or generateName " : "")is required")
        } else if let m = KubernetesLabel.dnsSubdomainError(name) {
            issue(Self.join(metaPath, "name"), node["metadata"]?["name"], "Invalid value: \"\(name)\": \(m)")
        } else {
            valid = true
        }
        if let namespace, let m = KubernetesLabel.dnsLabelError(namespace) {
            issue(Self.join(metaPath, "namespace"), node["metadata"]?["namespace"],
                  "Invalid value: \"\(namespace)\": \(m)")
        }
        return valid
    }

    mutating func checkKnown(_ node: ManifestNode, _ keys: Set<String>, path: String) {
        for p in node.object ?? [] where !keys.contains(p.key) {
            issue(Self.join(path, p.key), p.value, "unknown field \"\(p.key)\"")
        }
    }

    mutating func rules(_ node: ManifestNode?, path: String, peersKey: String) -> [NetworkPolicyRule] {
        guard let node, !node.isNull else { return [] }
        guard let list = node.array else {
            issue(path, node, "expected a list, got \(node.typeName)")
            return []
        }
        var out: [NetworkPolicyRule] = []
        for (i, r) in list.enumerated() {
            let rp = "\(path)[\(i)]"
            if r.isNull { out.append(NetworkPolicyRule()); continue }
            guard r.object != nil else { issue(rp, r, "expected an object, got \(r.typeName)"); continue }
            checkKnown(r, ["ports", peersKey], path: rp)
            var rule = NetworkPolicyRule()
            if let ports = r["ports"], !ports.isNull {
                if let pl = ports.array {
                    for (j, p) in pl.enumerated() {
                        if let v = port(p, path: "\(rp).ports[\(j)]") { rule.ports.append(v) }
                    }
                } else {
                    issue("\(rp).ports", ports, "expected a list, got \(ports.typeName)")
                }
            }
            if let peers = r[peersKey], !peers.isNull {
                if let pl = peers.array {
                    for (j, p) in pl.enumerated() {
                        if let v = peer(p, path: "\(rp).\(peersKey)[\(j)]") { rule.peers.append(v) }
                    }
                } else {
                    issue("\(rp).\(peersKey)", peers, "expected a list, got \(peers.typeName)")
                }
            }
            out.append(rule)
        }
        return out
    }

    mutating func port(_ node: ManifestNode, path: String) -> NetworkPolicyPort? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["protocol", "port", "endPort"], path: path)
        var ok = true
        var proto = Proto.tcp  // F1
        if let p = node["protocol"], !p.isNull {
            if let s = p.scalarText, ["TCP", "UDP", "SCTP"].contains(s), let v = Proto(rawValue: s) {
                proto = v
            } else {
                issue("\(path).protocol", p,
                      "Unsupported value: \"\(p.scalarText ?? p.typeName)\": supported values: \"SCTP\", \"TCP\", \"UDP\"")
                ok = false
            }
        }
        var value: NetworkPolicyPort.Port? = nil
        if let p = node["port"], !p.isNull {
            switch p.value {
            case .int(let n):
                if !(1...65535).contains(n) {
                    issue("\(path).port", p, "Invalid value: \(n): must be between 1 and 65535, inclusive")
                    ok = false
                }
                value = .number(n)
            case .string(let s):
                if let m = KubernetesLabel.portNameError(s) {
                    issue("\(path).port", p, "Invalid value: \"\(s)\": \(m)")
                    ok = false
                }
                value = .name(s)
            default:
                issue("\(path).port", p, "expected an integer or a port name, got \(p.typeName)")
                ok = false
            }
        }
        var endPort: Int? = nil
        if let e = node["endPort"], !e.isNull {
            guard case .int(let n) = e.value else {
                issue("\(path).endPort", e, "expected an integer, got \(e.typeName)")
                return nil
            }
            switch value {
            case .number(let start):
                if n < start {
                    issue("\(path).endPort", e, "Invalid value: \(n): must be greater than or equal to `port`")
                    ok = false
                } else if !(1...65535).contains(n) {
                    issue("\(path).endPort", e, "Invalid value: \(n): must be between 1 and 65535, inclusive")
                    ok = false
                }
            case .name:
                issue("\(path).endPort", e, "Invalid value: \(n): may not be specified when `port` is non-numeric")
                ok = false
            case nil:
                issue("\(path).endPort", e, "Invalid value: \(n): may not be specified when `port` is not specified")
                ok = false
            }
            endPort = n
        }
        return ok ? NetworkPolicyPort(proto: proto, port: value, endPort: endPort) : nil
    }

    mutating func peer(_ node: ManifestNode, path: String) -> NetworkPolicyPeer? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["podSelector", "namespaceSelector", "ipBlock"], path: path)
        let ps = node["podSelector"].flatMap { $0.isNull ? nil : $0 }
        let ns = node["namespaceSelector"].flatMap { $0.isNull ? nil : $0 }
        let ib = node["ipBlock"].flatMap { $0.isNull ? nil : $0 }
        let count = [ps, ns, ib].compactMap { $0 }.count
        if count == 0 {
            issue(path, node, "Required value: must specify a peer")
            return nil
        }
        if let ib {
            if count > 1 {
                issue(path, node, "Forbidden: may not specify both ipBlock and another peer")
                return nil
            }
            return ipBlock(ib, path: "\(path).ipBlock").map { .ipBlock($0) }
        }
        let before = issues.count
        let p = ps.flatMap { selector($0, path: "\(path).podSelector") }
        let n = ns.flatMap { selector($0, path: "\(path).namespaceSelector") }
        guard issues.count == before else { return nil }
        return .pods(podSelector: p, namespaceSelector: n)
    }

    mutating func ipBlock(_ node: ManifestNode, path: String) -> IPBlock? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["cidr", "except"], path: path)
        guard let c = node["cidr"], let text = c.scalarText, !text.isEmpty else {
            issue("\(path).cidr", node["cidr"] ?? node, "Required value")
            return nil
        }
        guard let cidr = CIDR(text) else {
            issue("\(path).cidr", c, "Invalid value: \"\(text)\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")
            return nil
        }
        var except: [CIDR] = []
        var ok = true
        if let e = node["except"], !e.isNull {
            guard let list = e.array else {
                issue("\(path).except", e, "expected a list, got \(e.typeName)")
                return nil
            }
            for (i, x) in list.enumerated() {
                let xp = "\(path).except[\(i)]"
                guard let t = x.scalarText, let xc = CIDR(t) else {
                    issue(xp, x, "Invalid value: \"\(x.scalarText ?? x.typeName)\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")
                    ok = false
                    continue
                }
                if xc.network.isV6 != cidr.network.isV6 || xc.prefix <= cidr.prefix || !cidr.contains(xc.network) {
                    issue(xp, x, "Invalid value: \"\(t)\": must be a strict subset of `cidr`")
                    ok = false
                    continue
                }
                except.append(xc)
            }
        }
        return ok ? IPBlock(cidr: cidr, except: except) : nil
    }

    mutating func selector(_ node: ManifestNode, path: String) -> LabelSelector? {
        guard let terms = selectorTerms(node, path: path, keyError: KubernetesLabel.keyError,
                                        valueError: KubernetesLabel.valueError, labelsInKeyOrder: false)
        else { return nil }
        var sel = LabelSelector()
        for (k, v) in terms.labels { sel.matchLabels[k] = v }
        sel.matchExpressions = terms.expressions
        return sel
    }

    /// A selector's terms in either dialect (`keyError`, `valueError`: the dialect's checks of a key as written
    /// and of a value): its `matchLabels` pairs (in document or key order) and its `matchExpressions`; nil when
    /// the selector is no object or any of its terms has a problem (every problem is recorded).
    mutating func selectorTerms(_ node: ManifestNode, path: String, keyError: (String) -> String?,
                                valueError: (String) -> String?, labelsInKeyOrder: Bool)
        -> (labels: [(key: String, value: String)], expressions: [LabelSelectorRequirement])? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["matchLabels", "matchExpressions"], path: path)
        let before = issues.count
        var labels: [(key: String, value: String)] = []
        if let ml = node["matchLabels"], !ml.isNull {
            if let pairs = ml.object {
                let kp = "\(path).matchLabels"
                for p in labelsInKeyOrder ? pairs.sorted(by: { $0.key < $1.key }) : pairs {
                    if let m = keyError(p.key) {
                        issue(kp, p.value, "Invalid value: \"\(p.key)\": \(m)")
                    }
                    guard let v = p.value.scalarText, case .string = p.value.value else {
                        issue("\(kp).\(p.key)", p.value, "expected a string, got \(p.value.typeName)")
                        continue
                    }
                    if let m = valueError(v) {
                        issue(kp, p.value, "Invalid value: \"\(v)\": \(m)")
                    }
                    labels.append((p.key, v))
                }
            } else {
                issue("\(path).matchLabels", ml, "expected an object, got \(ml.typeName)")
            }
        }
        guard let expressions = matchExpressions(node["matchExpressions"], path: "\(path).matchExpressions",
                                                 keyError: keyError, valueError: valueError)
        else { return nil }
        return issues.count == before ? (labels, expressions) : nil
    }

    /// A selector's `matchExpressions` (`selectorTerms`): empty when absent or null, nil when no list. A
    /// requirement that is no object or has no valid operator is left out; every problem is recorded.
    mutating func matchExpressions(_ node: ManifestNode?, path: String, keyError: (String) -> String?,
                                   valueError: (String) -> String?) -> [LabelSelectorRequirement]? {
        guard let node, !node.isNull else { return [] }
        guard let list = node.array else {
            issue(path, node, "expected a list, got \(node.typeName)")
            return nil
        }
        var out: [LabelSelectorRequirement] = []
        for (i, e) in list.enumerated() {
            let ep = "\(path)[\(i)]"
            guard e.object != nil else { issue(ep, e, "expected an object, got \(e.typeName)"); continue }
            checkKnown(e, ["key", "operator", "values"], path: ep)
            let key = e["key"]?.scalarText ?? ""
            if let m = keyError(key) {
                issue("\(ep).key", e["key"] ?? e, "Invalid value: \"\(key)\": \(m)")
            }
            let opText = e["operator"]?.scalarText ?? ""
            var values: [String] = []
            for (j, v) in (e["values"]?.array ?? []).enumerated() {
                guard case .string(let s) = v.value else {
                    issue("\(ep).values[\(j)]", v, "expected a string, got \(v.typeName)")
                    continue
                }
                if let m = valueError(s) {
                    issue("\(ep).values[\(j)]", v, "Invalid value: \"\(s)\": \(m)")
                }
                values.append(s)
            }
            guard let op = LabelSelectorRequirement.Operator(rawValue: opText) else {
                issue("\(ep).operator", e["operator"] ?? e,
                      "Invalid value: \"\(opText)\": not a valid selector operator")
                continue
            }
            switch op {
            case .in, .notIn:
                if values.isEmpty {
                    issue("\(ep).values", e["values"] ?? e,
                          "Required value: must be specified when `operator` is 'In' or 'NotIn'")
                }
            case .exists, .doesNotExist:
                if !values.isEmpty {
                    issue("\(ep).values", e["values"] ?? e,
                          "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
                }
            }
            out.append(LabelSelectorRequirement(key: key, op: op, values: values))
        }
        return out
    }
}
