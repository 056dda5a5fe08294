import FlowModel

/// AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) and ClusterNetworkPolicy (v1alpha2), validated
/// as their CRD schemas and CEL rules do (network-policy-api apis/); messages follow the API server's.
extension ManifestDecoder {
    static let adminGroup = "policy.networking.k8s.io"

    /// The API version each kind is served at.
    static func adminVersion(_ kind: AdminPolicy.Kind) -> String {
        kind == .clusterNetworkPolicy ? "\(adminGroup)/v1alpha2" : "\(adminGroup)/v1alpha1"
    }

    mutating func decodeAdmin(_ kind: AdminPolicy.Kind, _ node: ManifestNode, path: String, apiVersion: String,
                              location: SourceLocation, into set: inout ManifestSet) {
        let meta = node["metadata"]
        let name = meta?["name"]?.scalarText ?? ""
        object = "\(kind.rawValue) \(name)"
        defer { object = "" }
        let before = issues.count
        guard apiVersion == Self.adminVersion(kind) else {
            issue(Self.join(path, "apiVersion"), node["apiVersion"],
                  "unsupported apiVersion \"\(apiVersion)\" for \(kind.rawValue) (expected \(Self.adminVersion(kind)))")
            return
        }
        checkKnown(node, ["apiVersion", "kind", "metadata", "spec", "status"], path: path)
        let metaPath = Self.join(path, "metadata")
        if let m = meta, m.object != nil { checkKnown(m, Self.objectMetaFields, path: metaPath) }
        if checkName(node, path: path, name: name, generateName: true, namespace: nil),
           kind == .baselineAdminNetworkPolicy && name != "default" {
            issue(Self.join(metaPath, "name"), meta?["name"], "Invalid value: \"\(name)\": Only one baseline admin "
                  + "network policy with metadata.name=\"default\" can be created in the cluster")
        }
        let specPath = Self.join(path, "spec")
        guard let spec = node["spec"], spec.object != nil else {
            issue(specPath, node["spec"], "Required value: spec is required")
            return
        }
        var keys: Set<String> = ["subject", "ingress", "egress"]
        switch kind {
        case .adminNetworkPolicy: keys.insert("priority")
        case .clusterNetworkPolicy: keys.formUnion(["priority", "tier"])
        case .baselineAdminNetworkPolicy: break
        }
        checkKnown(spec, keys, path: specPath)
        var tier = kind == .baselineAdminNetworkPolicy ? AdminPolicy.Tier.baseline : .admin
        if kind == .clusterNetworkPolicy {
            let t = spec["tier"]
            if let s = t?.scalarText, let v = AdminPolicy.Tier(rawValue: s) {
                tier = v
            } else if t == nil || t!.isNull {
                issue(Self.join(specPath, "tier"), spec, "Required value")
            } else {
                issue(Self.join(specPath, "tier"), t, "Unsupported value: \"\(t!.scalarText ?? t!.typeName)\": "
                      + "supported values: \"Admin\", \"Baseline\"")
            }
        }
        var priority = Int.max
        if kind != .baselineAdminNetworkPolicy {
            let p = spec["priority"]
            if case .int(let n)? = p?.value {
                if !(0...1000).contains(n) {
                    issue(Self.join(specPath, "priority"), p, "Invalid value: \(n): spec.priority in body should be "
                          + (n < 0 ? "greater than or equal to 0" : "less than or equal to 1000"))
                }
                priority = n
            } else if p == nil || p!.isNull {
                issue(Self.join(specPath, "priority"), spec, "Required value")
            } else {
                issue(Self.join(specPath, "priority"), p, "expected an integer, got \(p!.typeName)")
            }
        }
        let subjectPath = Self.join(specPath, "subject")
        var subject = AdminPolicy.Selection.namespaces(.everything)
        if let s = spec["subject"], !s.isNull {
            subject = selection(s, path: subjectPath) ?? subject
        } else {
            issue(subjectPath, spec, "Required value")
        }
        let ingress = adminRules(kind, spec["ingress"], path: Self.join(specPath, "ingress"), egress: false)
        let egress = adminRules(kind, spec["egress"], path: Self.join(specPath, "egress"), egress: true)
        guard issues.count == before else { return }
        set.adminPolicies.append(AdminPolicy(kind: kind, name: name, tier: tier, priority: priority,
                                             subject: subject, ingress: ingress, egress: egress, location: location))
    }

    /// `subject` or a `namespaces` / `pods` peer: exactly one of the two (MinProperties=1, MaxProperties=1).
    mutating func selection(_ node: ManifestNode, path: String, extra: Set<String> = []) -> AdminPolicy.Selection? {
        guard let pairs = node.object else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, Set(["namespaces", "pods"]).union(extra), path: path)
        let set = pairs.filter { !$0.value.isNull }
        if set.count != 1 {
            issue(path, node, set.isEmpty ? "Invalid value: 0: \(path) in body should have at least 1 properties"
                  : "Invalid value: \(set.count): \(path) in body should have at most 1 properties")
            return nil
        }
        if let ns = node["namespaces"], !ns.isNull {
            return selector(ns, path: "\(path).namespaces").map { .namespaces($0) }
        }
        guard let pods = node["pods"], !pods.isNull else { return nil }
        let pp = "\(path).pods"
        guard pods.object != nil else {
            issue(pp, pods, "expected an object, got \(pods.typeName)")
            return nil
        }
        checkKnown(pods, ["namespaceSelector", "podSelector"], path: pp)
        var sels: [LabelSelector] = []
        for key in ["namespaceSelector", "podSelector"] {
            guard let s = pods[key], !s.isNull else {
                issue("\(pp).\(key)", pods, "Required value")
                continue
            }
            if let v = selector(s, path: "\(pp).\(key)") { sels.append(v) }
        }
        return sels.count == 2 ? .pods(namespaces: sels[0], pods: sels[1]) : nil
    }

    mutating func adminRules(_ kind: AdminPolicy.Kind, _ node: ManifestNode?, path: String,
                             egress: Bool) -> [AdminPolicy.Rule] {
        guard let node, !node.isNull else { return [] }
        guard let list = node.array else {
            issue(path, node, "expected a list, got \(node.typeName)")
            return []
        }
        let maxRules = kind == .clusterNetworkPolicy ? 25 : 100
        if list.count > maxRules { issue(path, node, "Too many: \(list.count): must have at most \(maxRules) items") }
        let peersKey = egress ? "to" : "from"
        let portsKey = kind == .clusterNetworkPolicy ? "protocols" : "ports"
        var out: [AdminPolicy.Rule] = []
        for (i, r) in list.enumerated() {
            let rp = "\(path)[\(i)]"
            guard r.object != nil else { issue(rp, r, "expected an object, got \(r.typeName)"); continue }
            checkKnown(r, ["name", "action", peersKey, portsKey], path: rp)
            let before = issues.count
            let name = r["name"]?.scalarText ?? ""
            if name.count > 100 { issue("\(rp).name", r["name"], "Too long: may not be longer than 100") }
            let allowWord = kind == .clusterNetworkPolicy ? "Accept" : "Allow"
            var allowed = [allowWord, "Deny"]
            if kind != .baselineAdminNetworkPolicy { allowed.append("Pass") }
            var action = AdminPolicy.Action.deny
            let a = r["action"]?.scalarText ?? ""
            if a.isEmpty && (r["action"] == nil || r["action"]!.isNull) {
                issue("\(rp).action", r, "Required value")
            } else if !allowed.contains(a) {
                issue("\(rp).action", r["action"], "Unsupported value: \"\(a)\": supported values: "
                      + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
            } else {
                action = a == allowWord ? .allow : a == "Pass" ? .pass : .deny
            }
            var peers: [AdminPolicy.Peer] = []
            let pp = "\(rp).\(peersKey)"
            if let pl = r[peersKey]?.array, !pl.isEmpty {
                if pl.count > maxRules { issue(pp, r[peersKey], "Too many: \(pl.count): must have at most \(maxRules) items") }
                for (j, p) in pl.enumerated() {
                    if let v = adminPeer(kind, p, path: "\(pp)[\(j)]", egress: egress, action: action) {
                        peers.append(v)
                    }
                }
            } else {
                issue(pp, r[peersKey] ?? r, "Required value: \(peersKey) field must be defined and contain at least one item")
            }
            var ports: [AdminPolicy.Port]? = nil
            if let ps = r[portsKey], !ps.isNull {
                if let pl = ps.array, !pl.isEmpty {
                    ports = []
                    for (j, p) in pl.enumerated() {
                        let path = "\(rp).\(portsKey)[\(j)]"
                        if let v = kind == .clusterNetworkPolicy ? cnpProtocol(p, path: path) : anpPort(p, path: path) {
                            ports!.append(v)
                        }
                    }
                } else {
                    issue("\(rp).\(portsKey)", ps, "Invalid value: \(portsKey) in body should have at least 1 items")
                }
            }
            let named = ports?.contains { if case .named = $0 { return true } else { return false } } ?? false
            let nonPod = peers.contains { if case .selection = $0 { return false } else { return true } }
            if named && nonPod {  // the CEL rule; BANP has no domainNames peer, and its message says so
                let peers = kind == .baselineAdminNetworkPolicy ? "networks/nodes" : "networks/nodes/domainNames"
                issue(rp, r, "Invalid value: \"object\": \(peers) peer cannot be set with namedPorts "
                      + "since there are no namedPorts for \(peers)")
            }
            if issues.count == before { out.append(AdminPolicy.Rule(name: name, action: action, peers: peers, ports: ports)) }
        }
        return out
    }

    mutating func adminPeer(_ kind: AdminPolicy.Kind, _ node: ManifestNode, path: String, egress: Bool,
                            action: AdminPolicy.Action) -> AdminPolicy.Peer? {
        var extra: Set<String> = []
        if egress {
            extra = ["nodes", "networks"]
            if kind != .baselineAdminNetworkPolicy { extra.insert("domainNames") }
        }
        guard egress, let o = node.object, let p = o.first(where: { !$0.value.isNull && extra.contains($0.key) }),
              o.filter({ !$0.value.isNull }).count == 1 else {
            return selection(node, path: path, extra: extra).map { .selection($0) }
        }
        let vp = "\(path).\(p.key)"
        switch p.key {
        case "nodes":
            return selector(p.value, path: vp).map { .nodes($0) }
        case "networks":
            guard let list = p.value.array, !list.isEmpty else {
                issue(vp, p.value, "Invalid value: \(vp) in body should have at least 1 items")
                return nil
            }
            var cidrs: [CIDR] = []
            for (i, c) in list.enumerated() {
                guard let t = c.scalarText, let v = CIDR(t) else {
                    issue("\(vp)[\(i)]", c, "Invalid value: \"\(c.scalarText ?? c.typeName)\": Invalid CIDR format provided")
                    continue
                }
                cidrs.append(v)
            }
            return cidrs.count == list.count ? .networks(cidrs) : nil
        default:  // domainNames
            if action != .allow {
                issue(vp, p.value, "Invalid value: \"object\": domainNames peer can only be used with the "
                      + (kind == .clusterNetworkPolicy ? "Accept" : "Allow") + " action")
                return nil
            }
            let names = (p.value.array ?? []).compactMap(\.scalarText)
            guard !names.isEmpty else {
                issue(vp, p.value, "Invalid value: \(vp) in body should have at least 1 items")
                return nil
            }
            return .domainNames(names)
        }
    }

    /// AdminNetworkPolicyPort: exactly one of portNumber, namedPort, portRange.
    mutating func anpPort(_ node: ManifestNode, path: String) -> AdminPolicy.Port? {
        guard let o = node.object else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["portNumber", "namedPort", "portRange"], path: path)
        let set = o.filter { !$0.value.isNull }
        guard set.count == 1, let p = set.first else {
            issue(path, node, "Invalid value: \(set.count): exactly one field must be set in an AdminNetworkPolicyPort")
            return nil
        }
        let vp = "\(path).\(p.key)"
        switch p.key {
        case "namedPort":
            guard let s = p.value.scalarText, case .string = p.value.value else {
                issue(vp, p.value, "expected a string, got \(p.value.typeName)")
                return nil
            }
            return .named(s)
        case "portNumber":
            guard p.value.object != nil else { issue(vp, p.value, "expected an object, got \(p.value.typeName)"); return nil }
            checkKnown(p.value, ["protocol", "port"], path: vp)
            guard let proto = adminProto(p.value["protocol"], path: "\(vp).protocol", required: true),
                  let n = adminPortValue(p.value["port"], path: "\(vp).port") else { return nil }
            return .number(proto, n)
        default:
            guard p.value.object != nil else { issue(vp, p.value, "expected an object, got \(p.value.typeName)"); return nil }
            checkKnown(p.value, ["protocol", "start", "end"], path: vp)
            let proto = adminProto(p.value["protocol"], path: "\(vp).protocol", required: false)
            let a = adminPortValue(p.value["start"], path: "\(vp).start")
            let b = adminPortValue(p.value["end"], path: "\(vp).end")
            guard let proto, let a, let b else { return nil }
            guard a < b else {
                issue(vp, p.value, "Invalid value: \"object\": Start port must be less than End port")
                return nil
            }
            return .range(proto, a...b)
        }
    }

    /// ClusterNetworkPolicyProtocol: exactly one of tcp, udp, sctp (`destinationPort`: `number` or `range`) and
    /// destinationNamedPort.
    mutating func cnpProtocol(_ node: ManifestNode, path: String) -> AdminPolicy.Port? {
        guard let o = node.object else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["tcp", "udp", "sctp", "destinationNamedPort"], path: path)
        let set = o.filter { !$0.value.isNull }
        guard set.count == 1, let p = set.first else {
            issue(path, node, "Invalid value: \(set.count): exactly one of tcp, udp, sctp, destinationNamedPort must be set")
            return nil
        }
        let vp = "\(path).\(p.key)"
        if p.key == "destinationNamedPort" {
            guard let s = p.value.scalarText, case .string = p.value.value else {
                issue(vp, p.value, "expected a string, got \(p.value.typeName)")
                return nil
            }
            return .named(s)
        }
        let proto: Proto = p.key == "tcp" ? .tcp : p.key == "udp" ? .udp : .sctp
        guard p.value.object != nil else { issue(vp, p.value, "expected an object, got \(p.value.typeName)"); return nil }
        checkKnown(p.value, ["destinationPort"], path: vp)
        // MinProperties=1: a protocol entry names its destinationPort (every port is `range` 1-65535).
        guard let dp = p.value["destinationPort"], !dp.isNull else {
            issue(vp, p.value, "Invalid value: 0: \(vp) in body should have at least 1 properties")
            return nil
        }
        let dpp = "\(vp).destinationPort"
        guard dp.object != nil else { issue(dpp, dp, "expected an object, got \(dp.typeName)"); return nil }
        checkKnown(dp, ["number", "range"], path: dpp)
        if let r = dp["range"], !r.isNull {
            if let n = dp["number"], !n.isNull {
                issue(dpp, dp, "Invalid value: \"object\": exactly one of number, range must be set")
                return nil
            }
            guard r.object != nil else { issue("\(dpp).range", r, "expected an object, got \(r.typeName)"); return nil }
            checkKnown(r, ["start", "end"], path: "\(dpp).range")
            let a = adminPortValue(r["start"], path: "\(dpp).range.start")
            let b = adminPortValue(r["end"], path: "\(dpp).range.end")
            guard let a, let b else { return nil }
            guard a < b else {
                issue("\(dpp).range", r, "Invalid value: \"object\": Start port must be less than End port")
                return nil
            }
            return .range(proto, a...b)
        }
        return adminPortValue(dp["number"], path: "\(dpp).number").map { .number(proto, $0) }
    }

    mutating func adminProto(_ node: ManifestNode?, path: String, required: Bool) -> Proto? {
        guard let node, !node.isNull else {
            if required { issue(path, nil, "Required value") ; return nil }
            return .tcp
        }
        if let s = node.scalarText, ["TCP", "UDP", "SCTP"].contains(s), let v = Proto(rawValue: s) { return v }
        issue(path, node, "Unsupported value: \"\(node.scalarText ?? node.typeName)\": supported values: \"SCTP\", \"TCP\", \"UDP\"")
        return nil
    }

    mutating func adminPortValue(_ node: ManifestNode?, path: String) -> Int? {
        guard let node, !node.isNull else {
            issue(path, nil, "Required value")
            return nil
        }
        guard case .int(let n) = node.value else {
            issue(path, node, "expected an integer, got \(node.typeName)")
            return nil
        }
        guard (1...65535).contains(n) else {
            issue(path, node, "Invalid value: \(n): must be between 1 and 65535, inclusive")
            return nil
        }
        return n
    }
}
