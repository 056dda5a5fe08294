import TestSupport
/// Random Cilium policy sets over `Harness.cluster`, written as YAML: selectors with and without sources and
/// namespace keys, every peer kind, empty lists, ports with ANY/endPort/names, HTTP rules, deny sections and
/// enableDefaultDeny.
struct CiliumCaseGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }

    let subjects = ["{}", "{matchLabels: {app: web}}", "{matchLabels: {app: db}}",
                    "{matchExpressions: [{key: app, operator: NotIn, values: [db]}]}",
                    "{matchLabels: {\"k8s:io.kubernetes.pod.namespace\": dev}}", "{matchLabels: {\"k8s:tier\": frontend}}"]
    let peers = ["{}", "{matchLabels: {app: client}}", "{matchLabels: {app: web}}",
                 "{matchLabels: {\"io.cilium.k8s.namespace.labels.env\": prod}}", "{matchLabels: {\"reserved:host\": \"\"}}",
                 "{matchLabels: {\"k8s:io.kubernetes.pod.namespace\": prod, tier: frontend}}",
                 "{matchExpressions: [{key: \"io.kubernetes.pod.namespace\", operator: In, values: [dev, prod]}, {key: app, operator: Exists}]}",
                 "{matchLabels: {\"reserved:app\": web}}"]
    let entities = ["all", "world", "cluster", "host", "remote-node", "kube-apiserver", "health", "world-ipv4"]
    let cidrs = ["10.9.0.0/16", "192.0.2.1", "0.0.0.0/0", "2001:db8::/32"]
    let ports = ["{port: \"80\", protocol: TCP}", "{port: \"53\"}", "{port: \"0\", protocol: UDP}",
                 "{port: \"5000\", endPort: 5500, protocol: TCP}", "{port: http, protocol: TCP}", "{port: pg, protocol: TCP}",
                 "{port: \"9\", protocol: SCTP}", "{port: \"8080\", protocol: ANY}"]
    let http = ["{method: GET}", "{method: POST, path: \"/b\"}", "{path: \"/a.*\"}", "{method: \"GET|PUT\", path: \"/a\"}"]

    mutating func list(_ xs: [String], max: Int) -> String {
        "[" + (0..<int(1...max)).map { _ in pick(xs) }.joined(separator: ", ") + "]"
    }

    mutating func peerRule(ingress: Bool, deny: Bool) -> String {
        let d = ingress ? "from" : "to"
        var fields: [String] = []
        switch int(0...(ingress ? 6 : 7)) {
        case 0: break
        case 1, 2: fields.append("\(d)Endpoints: \(list(peers, max: 2))")
        case 3: fields.append("\(d)Entities: \(list(entities, max: 2))")
        case 4: fields.append("\(d)CIDR: \(list(cidrs, max: 2))")
        case 5: fields.append("\(d)CIDRSet: [{cidr: 10.0.0.0/8, except: [10.9.0.0/16]}]")
        case 6: fields.append("\(d)\(pick(["Endpoints", "Entities", "CIDR"])): []")
        default: fields.append("toFQDNs: [\(pick(["{matchName: api.example.com}", "{matchPattern: \"*.example.com\"}"]))]")
        }
        if fields.isEmpty || chance(0.6) {
            var pr = "{ports: \(list(ports, max: 2))"
            if !deny && chance(0.35) { pr = "{ports: [{port: \"80\", protocol: TCP}, {port: \"8080\", protocol: TCP}], rules: {http: \(list(http, max: 2))}" }
            fields.append("toPorts: [\(pr)}]")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    mutating func policy(_ i: Int) -> String {
        let clusterwide = chance(0.25)
        var lines = ["apiVersion: cilium.io/v2"]
        lines.append(clusterwide ? "kind: CiliumClusterwideNetworkPolicy" : "kind: CiliumNetworkPolicy")
        lines.append(clusterwide ? "metadata: {name: p\(i)}" : "metadata: {name: p\(i), namespace: \(pick(["prod", "dev"]))}")
        lines.append("spec:")
        lines.append("  endpointSelector: \(pick(subjects))")
        var any = false
        for (key, ingress, deny) in [("ingress", true, false), ("egress", false, false), ("ingressDeny", true, true),
                                     ("egressDeny", false, true)] {
            guard chance(deny ? 0.25 : 0.55) else { continue }
            any = true
            lines.append("  \(key): [" + (0..<int(1...2)).map { _ in peerRule(ingress: ingress, deny: deny) }.joined(separator: ", ") + "]")
        }
        if !any { lines.append("  ingress: [\(peerRule(ingress: true, deny: false))]") }
        if chance(0.2) { lines.append("  enableDefaultDeny: {\(pick(["ingress", "egress"])): \(chance(0.5))}") }
        return lines.joined(separator: "\n")
    }

    mutating func generate() -> String { (0..<int(1...4)).map { policy($0) }.joined(separator: "\n---\n") }
}
