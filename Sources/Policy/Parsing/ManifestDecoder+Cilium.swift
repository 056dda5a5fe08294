import FlowModel

/// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (`cilium.io/v2`), strict like the CRD schema plus the
/// agent's rule sanitizer: a policy with any issue is rejected with each field path named. Fields FlowMap
/// cannot evaluate (`fromRequires`, groups, Kafka, TLS, ...) are issues too, so no verdict silently ignores them.
extension ManifestDecoder {
    static let ciliumKinds: Set<String> = ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"]

    mutating func decodeCiliumPolicy(_ node: ManifestNode, kind: String, path: String, name: String,
                                     namespace: String, location: SourceLocation) -> CiliumPolicy? {
        let clusterwide = kind == "CiliumClusterwideNetworkPolicy"
        let ns = clusterwide ? "" : namespace
        object = clusterwide ? "\(kind) \(name)" : "\(kind) \(ns)/\(name)"
        defer { object = "" }
        let apiVersion = node["apiVersion"]?.scalarText ?? ""
        guard apiVersion == "cilium.io/v2" else {
            issue(Self.join(path, "apiVersion"), node["apiVersion"],
                  "unsupported apiVersion \"\(apiVersion)\" for \(kind) (expected cilium.io/v2)")
            return nil
        }
        let before = issues.count
        checkName(node, path: path, name: name, generateName: false, namespace: clusterwide ? nil : ns)
        var rules: [CiliumRule] = []
        let spec = node["spec"].flatMap { $0.isNull ? nil : $0 }
        let specs = node["specs"].flatMap { $0.isNull ? nil : $0 }
        if spec == nil && specs == nil {
            issue(Self.join(path, "spec"), node, "Required value: spec or specs is required")
        }
        if let spec, let r = ciliumRule(spec, path: Self.join(path, "spec"), namespace: ns) { rules.append(r) }
        if let specs {
            if let list = specs.array {
                for (i, s) in list.enumerated() {
                    if let r = ciliumRule(s, path: "\(Self.join(path, "specs"))[\(i)]", namespace: ns) { rules.append(r) }
                }
            } else {
                issue(Self.join(path, "specs"), specs, "expected a list, got \(specs.typeName)")
            }
        }
        guard issues.count == before else { return nil }
        return CiliumPolicy(name: name, namespace: ns, rules: rules, location: location)
    }

    mutating func ciliumRule(_ node: ManifestNode, path: String, namespace: String) -> CiliumRule? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny",
                          "enableDefaultDeny", "description", "labels", "log"], path: path)
        let es = node["endpointSelector"].flatMap { $0.isNull ? nil : $0 }
        let nsel = node["nodeSelector"].flatMap { $0.isNull ? nil : $0 }
        var subject: CiliumRule.Subject?
        switch (es, nsel) {
        case (let e?, nil):
            subject = ciliumSelector(e, path: Self.join(path, "endpointSelector")).map { .endpoints($0) }
        case (nil, let n?):
            subject = ciliumSelector(n, path: Self.join(path, "nodeSelector")).map { .nodes($0) }
        case (nil, nil):
            issue(path, node, "Required value: one of endpointSelector or nodeSelector is required")
        default:
            issue(path, node, "Forbidden: endpointSelector and nodeSelector cannot both be given")
        }
        let ingress = ciliumPeerRules(node["ingress"], path: Self.join(path, "ingress"), ingress: true, deny: false,
                                      namespace: namespace)
        let ingressDeny = ciliumPeerRules(node["ingressDeny"], path: Self.join(path, "ingressDeny"), ingress: true,
                                          deny: true, namespace: namespace)
        let egress = ciliumPeerRules(node["egress"], path: Self.join(path, "egress"), ingress: false, deny: false,
                                     namespace: namespace)
        let egressDeny = ciliumPeerRules(node["egressDeny"], path: Self.join(path, "egressDeny"), ingress: false,
                                         deny: true, namespace: namespace)
        let total = [ingress, ingressDeny, egress, egressDeny].reduce(0) { $0 + ($1?.count ?? 0) }
        if total == 0 {
            // The agent's sanitizer: `ingress: []` alone is not a default deny, it is an invalid rule.
            issue(path, node, "Invalid value: rule must have at least one of ingress, ingressDeny, egress, egressDeny "
                  + "with an entry (for a default deny write `ingress: [{}]`)")
        }
        var ddIn: Bool?, ddOut: Bool?
        if let dd = node["enableDefaultDeny"], !dd.isNull {
            let dp = Self.join(path, "enableDefaultDeny")
            checkKnown(dd, ["ingress", "egress"], path: dp)
            for (key, isIn) in [("ingress", true), ("egress", false)] {
                guard let v = dd[key], !v.isNull else { continue }
                guard case .bool(let b) = v.value else {
                    issue(Self.join(dp, key), v, "expected a boolean, got \(v.typeName)")
                    continue
                }
                if isIn { ddIn = b } else { ddOut = b }
            }
        }
        guard let subject else { return nil }
        return CiliumRule(subject: subject, ingress: ingress, ingressDeny: ingressDeny, egress: egress,
                          egressDeny: egressDeny, defaultDenyIngress: ddIn, defaultDenyEgress: ddOut)
    }

    mutating func ciliumPeerRules(_ node: ManifestNode?, path: String, ingress: Bool, deny: Bool,
                                  namespace: String) -> [CiliumPeerRule]? {
        guard let node, !node.isNull else { return nil }
        guard let items = node.array else {
            issue(path, node, "expected a list, got \(node.typeName)")
            return nil
        }
        var out: [CiliumPeerRule] = []
        let p = ingress ? "from" : "to"
        for (i, r) in items.enumerated() {
            let rp = "\(path)[\(i)]"
            if r.isNull { out.append(CiliumPeerRule()); continue }
            guard r.object != nil else { issue(rp, r, "expected an object, got \(r.typeName)"); continue }
            var known: Set<String> = ["\(p)Endpoints", "\(p)Nodes", "\(p)Entities", "\(p)CIDR", "\(p)CIDRSet",
                                      "toPorts", "icmps", "\(p)Requires", "\(p)Groups", "authentication"]
            if !ingress { known.formUnion(["toFQDNs", "toServices"]) }
            checkKnown(r, known, path: rp)
            for unsupported in ["\(p)Requires", "\(p)Groups", "authentication"] {
                if let v = r[unsupported], !v.isNull {
                    issue("\(rp).\(unsupported)", v, "not evaluated by flowmap: remove \(unsupported) or check this "
                          + "policy by other means")
                }
            }
            var rule = CiliumPeerRule()
            rule.endpoints = list(r["\(p)Endpoints"], path: "\(rp).\(p)Endpoints") { d, n, q in d.ciliumSelector(n, path: q) }
            rule.nodes = list(r["\(p)Nodes"], path: "\(rp).\(p)Nodes") { d, n, q in d.ciliumSelector(n, path: q) }
            rule.entities = list(r["\(p)Entities"], path: "\(rp).\(p)Entities") { d, n, q in
                guard let s = n.scalarText, let e = CiliumEntity(rawValue: s) else {
                    d.issue(q, n, "Unsupported value: \"\(n.scalarText ?? n.typeName)\": supported values: "
                            + CiliumEntity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
                    return nil
                }
                return e
            }
            rule.cidrs = list(r["\(p)CIDR"], path: "\(rp).\(p)CIDR") { d, n, q in
                d.ciliumCIDR(n, path: q).map { IPBlock(cidr: $0) }
            }
            rule.cidrSets = list(r["\(p)CIDRSet"], path: "\(rp).\(p)CIDRSet") { d, n, q in d.ciliumCIDRRule(n, path: q) }
            if !ingress {
                rule.fqdns = list(r["toFQDNs"], path: "\(rp).toFQDNs") { d, n, q in d.fqdnSelector(n, path: q) }
                rule.services = list(r["toServices"], path: "\(rp).toServices") { d, n, q in
                    d.serviceSelector(n, path: q, namespace: namespace)
                }
            }
            rule.ports = list(r["toPorts"], path: "\(rp).toPorts") { d, n, q in d.ciliumPortRule(n, path: q, deny: deny) }
            if rule.ports?.isEmpty == true { rule.ports = nil }
            // ICMP is not modelled: a rule with only `icmps` opens no TCP/UDP/SCTP port.
            if let ic = r["icmps"], !ic.isNull, rule.ports == nil { rule.ports = [] }
            out.append(rule)
        }
        return out
    }

    /// A list field: nil when absent or null, else each element decoded (failed ones dropped, issues recorded).
    mutating func list<T>(_ node: ManifestNode?, path: String,
                          _ each: (inout ManifestDecoder, ManifestNode, String) -> T?) -> [T]? {
        guard let node, !node.isNull else { return nil }
        guard let items = node.array else {
            issue(path, node, "expected a list, got \(node.typeName)")
            return nil
        }
        var out: [T] = []
        for (i, n) in items.enumerated() {
            if let v = each(&self, n, "\(path)[\(i)]") { out.append(v) }
        }
        return out
    }

    mutating func ciliumSelector(_ node: ManifestNode, path: String) -> CiliumSelector? {
        func keyError(_ text: String) -> String? {
            let (_, key) = CiliumLabel.parseKey(text)
            if key == CiliumLabel.serviceAccountKey {
                // Not in the inventory: evaluating it as absent would drop the policy's effect silently.
                return "not evaluated by flowmap: the inventory has no service accounts; select by pod labels"
            }
            return key.isEmpty ? "key must not be empty" : nil
        }
        // Cilium checks no value syntax; its labels become `In` requirements in key order.
        guard let terms = selectorTerms(node, path: path, keyError: keyError, valueError: { _ in nil },
                                        labelsInKeyOrder: true)
        else { return nil }
        let reqs = terms.labels.map { LabelSelectorRequirement(key: $0.key, op: .in, values: [$0.value]) }
            + terms.expressions
        return CiliumSelector(requirements: reqs.map { r in
            let (s, k) = CiliumLabel.parseKey(r.key)
            return CiliumSelector.Requirement(source: s, key: k, op: r.op, values: r.values)
        })
    }

    /// Cilium's CIDR fields also take a bare address (a /32 or /128).
    mutating func ciliumCIDR(_ node: ManifestNode, path: String) -> CIDR? {
        guard let t = node.scalarText, case .string = node.value else {
            issue(path, node, "expected a string, got \(node.typeName)")
            return nil
        }
        if let c = CIDR(t) { return c }
        if let ip = IPAddr(t), let c = CIDR("\(t)/\(ip.bits)") { return c }
        issue(path, node, "Invalid value: \"\(t)\": must be a CIDR (10.0.0.0/8, 2001:db8::/32) or an address")
        return nil
    }

    mutating func ciliumCIDRRule(_ node: ManifestNode, path: String) -> IPBlock? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["cidr", "except", "cidrGroupRef", "cidrGroupSelector"], path: path)
        for k in ["cidrGroupRef", "cidrGroupSelector"] {
            if let v = node[k], !v.isNull {
                issue("\(path).\(k)", v, "not evaluated by flowmap (CiliumCIDRGroup objects are not read): use cidr")
            }
        }
        guard let c = node["cidr"], !c.isNull else {
            issue("\(path).cidr", node, "Required value: cidr is required")
            return nil
        }
        guard let cidr = ciliumCIDR(c, path: "\(path).cidr") else { return nil }
        var except: [CIDR] = []
        for x in list(node["except"], path: "\(path).except", { d, n, q in d.ciliumCIDR(n, path: q) }) ?? [] {
            if x.network.isV6 != cidr.network.isV6 || !cidr.contains(x.network) || x.prefix < cidr.prefix {
                issue("\(path).except", node["except"], "Invalid value: \"\(x)\": must be within \(cidr)")
                continue
            }
            except.append(x)
        }
        return IPBlock(cidr: cidr, except: except)
    }

    mutating func fqdnSelector(_ node: ManifestNode, path: String) -> CiliumFQDNSelector? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["matchName", "matchPattern"], path: path)
        let name = node["matchName"]?.scalarText ?? "", pattern = node["matchPattern"]?.scalarText ?? ""
        if name.isEmpty == pattern.isEmpty {
            issue(path, node, "Invalid value: exactly one of matchName or matchPattern is required")
            return nil
        }
        if !name.isEmpty && !CiliumFQDNSelector.isValid(name, pattern: false) {
            issue("\(path).matchName", node["matchName"], "Invalid value: \"\(name)\": must match ^([-a-zA-Z0-9_]+[.]?)+$")
            return nil
        }
        if !pattern.isEmpty && !CiliumFQDNSelector.isValid(pattern, pattern: true) {
            issue("\(path).matchPattern", node["matchPattern"],
                  "Invalid value: \"\(pattern)\": must match ^([-a-zA-Z0-9_*]+[.]?)+$")
            return nil
        }
        return CiliumFQDNSelector(matchName: name, matchPattern: pattern)
    }

    mutating func serviceSelector(_ node: ManifestNode, path: String, namespace: String) -> CiliumServiceSelector? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["k8sService", "k8sServiceSelector"], path: path)
        if let s = node["k8sService"], !s.isNull {
            checkKnown(s, ["serviceName", "namespace"], path: "\(path).k8sService")
            guard let name = s["serviceName"]?.scalarText, !name.isEmpty else {
                issue("\(path).k8sService.serviceName", s, "Required value: serviceName is required")
                return nil
            }
            let ns = s["namespace"]?.scalarText ?? ""
            return CiliumServiceSelector(name: name, namespace: ns.isEmpty ? namespace : ns)
        }
        if let s = node["k8sServiceSelector"], !s.isNull {
            checkKnown(s, ["selector", "namespace"], path: "\(path).k8sServiceSelector")
            guard let sel = s["selector"], let ls = selector(sel, path: "\(path).k8sServiceSelector.selector") else {
                if s["selector"] == nil {
                    issue("\(path).k8sServiceSelector.selector", s, "Required value: selector is required")
                }
                return nil
            }
            let ns = s["namespace"]?.scalarText ?? ""
            return CiliumServiceSelector(selector: ls, namespace: ns.isEmpty ? namespace : ns)
        }
        issue(path, node, "Required value: one of k8sService or k8sServiceSelector is required")
        return nil
    }

    mutating func ciliumPortRule(_ node: ManifestNode, path: String, deny: Bool) -> CiliumPortRule? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, deny ? ["ports"] : ["ports", "rules", "serverNames", "listener", "originatingTLS",
                                             "terminatingTLS"], path: path)
        for k in ["serverNames", "listener", "originatingTLS", "terminatingTLS"] {
            if let v = node[k], !v.isNull { issue("\(path).\(k)", v, "not evaluated by flowmap: remove \(k)") }
        }
        let before = issues.count
        var rule = CiliumPortRule()
        rule.ports = list(node["ports"], path: "\(path).ports") { d, n, q in d.ciliumPort(n, path: q) } ?? []
        if let r = node["rules"], !r.isNull {
            let rp = "\(path).rules"
            checkKnown(r, ["http", "dns", "kafka", "l7proto", "l7"], path: rp)
            for k in ["kafka", "l7proto", "l7"] {
                if let v = r[k], !v.isNull { issue("\(rp).\(k)", v, "not evaluated by flowmap: only http and dns rules are") }
            }
            var l7 = CiliumL7Rules()
            l7.http = list(r["http"], path: "\(rp).http") { d, n, q in d.httpRule(n, path: q) } ?? []
            l7.dns = list(r["dns"], path: "\(rp).dns") { d, n, q in d.fqdnSelector(n, path: q) } ?? []
            if !l7.http.isEmpty && !l7.dns.isEmpty {
                issue(rp, r, "Invalid value: http and dns rules cannot be combined in one toPorts entry")
            }
            rule.rules = l7.isEmpty ? nil : l7
        }
        return issues.count == before ? rule : nil
    }

    mutating func ciliumPort(_ node: ManifestNode, path: String) -> CiliumPort? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["port", "endPort", "protocol"], path: path)
        var p = CiliumPort()
        if let pr = node["protocol"], !pr.isNull {
            guard let s = pr.scalarText, let v = CiliumPort.Transport(rawValue: s) else {
                issue("\(path).protocol", pr, "Unsupported value: \"\(pr.scalarText ?? pr.typeName)\": supported values: "
                      + "\"TCP\", \"UDP\", \"SCTP\", \"ANY\"")
                return nil
            }
            p.proto = v
        }
        if let v = node["port"], !v.isNull {
            let text = v.scalarText ?? ""
            if let n = Int(text) {
                guard (0...65535).contains(n) else {
                    issue("\(path).port", v, "Invalid value: \(text): must be between 0 and 65535")
                    return nil
                }
                p.port = .number(n)
            } else if let m = KubernetesLabel.portNameError(text.lowercased()) {
                issue("\(path).port", v, "Invalid value: \"\(text)\": not a port number or port name: \(m)")
                return nil
            } else {
                p.port = .name(text.lowercased())  // Cilium compares port names in lower case
            }
        }
        if let e = node["endPort"], !e.isNull {
            guard case .int(let n) = e.value else {
                issue("\(path).endPort", e, "expected an integer, got \(e.typeName)")
                return nil
            }
            guard case .number(let start) = p.port, start > 0, n >= start, n <= 65535 else {
                issue("\(path).endPort", e, "Invalid value: \(n): needs a numeric port and must be between it and 65535")
                return nil
            }
            p.endPort = n
        }
        return p
    }

    mutating func httpRule(_ node: ManifestNode, path: String) -> CiliumHTTPRule? {
        guard node.object != nil else {
            issue(path, node, "expected an object, got \(node.typeName)")
            return nil
        }
        checkKnown(node, ["method", "path", "host", "headers", "headerMatches"], path: path)
        var r = CiliumHTTPRule()
        for key in ["method", "path", "host"] {
            guard let v = node[key], !v.isNull else { continue }
            guard let s = v.scalarText, case .string = v.value else {
                issue("\(path).\(key)", v, "expected a string, got \(v.typeName)")
                return nil
            }
            if let m = CiliumHTTPRule.regexError(s) {
                issue("\(path).\(key)", v, "Invalid value: \"\(s)\": not a regular expression: \(m)")
                return nil
            }
            switch key {
            case "method": r.method = s
            case "path": r.path = s
            default: r.host = s
            }
        }
        r.hasHeaders = [node["headers"], node["headerMatches"]].contains { $0.map { !$0.isNull } ?? false }
        return r
    }
}

extension CiliumFQDNSelector {
    /// The CRD's patterns for matchName / matchPattern (at most 255 characters).
    static func isValid(_ s: String, pattern: Bool) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 255, s.first != "." else { return false }
        var previousDot = false
        for c in s.utf8 {
            if c == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard isDNSChar(c) || (pattern && c == UInt8(ascii: "*")) else { return false }
                previousDot = false
            }
        }
        return true
    }
}
