import TestSupport
/// Random small clusters (namespaces, pods with labels, IPs and named ports) and NetworkPolicy sets written as
/// YAML, covering the corners of the semantics document: policyTypes defaulting, empty vs missing lists,
/// AND/OR of selectors, matchExpressions, ipBlock with except, named ports, endPort, protocols.
/// Output respects NCA's input quirks: policyTypes lists Ingress first, names have no `_`.
struct RandomCaseGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }

    let namespaceNames = ["ns0", "ns1", "ns2"]

    mutating func generate() -> String {
        var docs: [String] = []
        let nsCount = int(1...3)
        for i in 0..<nsCount {
            var labels = ["kubernetes.io/metadata.name: \(namespaceNames[i])"]
            if chance(0.6) { labels.append("env: \(pick(["prod", "dev"]))") }
            if chance(0.4) { labels.append("team: \(pick(["a", "b"]))") }
            docs.append("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: \(namespaceNames[i])
                  labels:
                \(labels.map { "    " + $0 }.joined(separator: "\n"))
                """)
        }
        let podCount = int(2...6)
        for i in 0..<podCount {
            let ns = namespaceNames[int(0...(nsCount - 1))]
            var labels: [String] = []
            if chance(0.8) { labels.append("app: \(pick(["a", "b", "c"]))") }
            if chance(0.5) { labels.append("tier: \(pick(["x", "y"]))") }
            var ports: [String] = []
            let candidates = [("http", 8080, "TCP"), ("http", 8081, "TCP"), ("dns", 53, "UDP"), ("dns", 53, "TCP"),
                              ("web", 80, "TCP"), ("metrics", 9090, "TCP"), ("sctp", 7000, "SCTP")]
            var usedNames = Set<String>()
            for c in candidates where chance(0.3) && !usedNames.contains(c.0) {
                usedNames.insert(c.0)
                ports.append("    - {containerPort: \(c.1), name: \(c.0), protocol: \(c.2)}")
            }
            docs.append("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p\(i)
                  namespace: \(ns)
                  labels: {\(labels.joined(separator: ", "))}
                spec:
                  containers:
                  - name: c
                    image: x
                \(ports.isEmpty ? "" : "    ports:\n" + ports.joined(separator: "\n"))
                status:
                  podIP: 10.0.0.\(i + 1)
                """)
        }
        for i in 0..<int(1...4) {
            docs.append(policy(i, ns: namespaceNames[int(0...(nsCount - 1))]))
        }
        return docs.joined(separator: "\n---\n") + "\n"
    }

    mutating func podSelector() -> String {
        switch int(0...5) {
        case 0, 1: return "{}"
        case 2: return "{matchLabels: {app: \(pick(["a", "b", "c"]))}}"
        case 3: return "{matchLabels: {app: \(pick(["a", "b"])), tier: \(pick(["x", "y"]))}}"
        default: return "{matchExpressions: [\(expression(keys: ["app", "tier"], values: ["a", "b", "c", "x", "y"]))]}"
        }
    }

    mutating func namespaceSelector() -> String {
        switch int(0...4) {
        case 0: return "{}"
        case 1: return "{matchLabels: {env: \(pick(["prod", "dev"]))}}"
        case 2: return "{matchLabels: {kubernetes.io/metadata.name: \(pick(namespaceNames))}}"
        default: return "{matchExpressions: [\(expression(keys: ["env", "team"], values: ["prod", "dev", "a", "b"]))]}"
        }
    }

    mutating func expression(keys: [String], values: [String]) -> String {
        let key = pick(keys)
        switch int(0...3) {
        case 0: return "{key: \(key), operator: In, values: [\(pick(values)), \(pick(values))]}"
        case 1: return "{key: \(key), operator: NotIn, values: [\(pick(values))]}"
        case 2: return "{key: \(key), operator: Exists}"
        default: return "{key: \(key), operator: DoesNotExist}"
        }
    }

    mutating func peer() -> String {
        switch int(0...5) {
        case 0, 1: return "{podSelector: \(podSelector())}"
        case 2: return "{namespaceSelector: \(namespaceSelector())}"
        case 3:
            // NCA evaluates Exists/DoesNotExist of a podSelector only in the policy's namespace even when a
            // namespaceSelector is ANDed (K8sPolicyYamlParser: get_peers_with_key(self.namespace, ...)), which
            // contradicts C3; such peers are covered by SemanticsRuleTests instead.
            var ps = podSelector()
            while ps.contains("Exists") { ps = podSelector() }
            return "{namespaceSelector: \(namespaceSelector()), podSelector: \(ps)}"
        default:
            let blocks: [(String, [String])] = [
                ("0.0.0.0/0", ["10.0.0.0/8", "192.168.0.0/16"]), ("10.0.0.0/8", ["10.0.0.0/30", "10.1.0.0/16"]),
                ("10.0.0.0/24", ["10.0.0.4/30"]), ("1.2.3.0/24", ["1.2.3.128/25"]), ("192.168.0.0/16", []),
            ]
            let b = pick(blocks)
            let except = b.1.isEmpty || chance(0.5) ? "" : ", except: [\(b.1.joined(separator: ", "))]"
            return "{ipBlock: {cidr: \(b.0)\(except)}}"
        }
    }

    mutating func port() -> String {
        var fields: [String] = []
        if chance(0.7) { fields.append("protocol: \(pick(["TCP", "UDP", "SCTP", "TCP"]))") }
        switch int(0...5) {
        case 0: break
        case 1, 2:
            let p = pick([53, 80, 8080, 9090, 7000])
            fields.append("port: \(p)")
            if chance(0.3) { fields.append("endPort: \(p + int(0...100))") }
        default: fields.append("port: \(pick(["http", "dns", "web", "metrics", "sctp"]))")
        }
        return "{\(fields.joined(separator: ", "))}"
    }

    mutating func rules(_ peersKey: String) -> String {
        switch int(0...6) {
        case 0: return "[]"
        case 1: return "[{}]"
        default:
            var rules: [String] = []
            for _ in 0..<int(1...2) {
                var fields: [String] = []
                switch int(0...4) {
                case 0: break
                case 1: fields.append("\(peersKey): []")
                default: fields.append("\(peersKey): [\((0..<int(1...2)).map { _ in peer() }.joined(separator: ", "))]")
                }
                if chance(0.7) {
                    fields.append("ports: [\((0..<int(1...3)).map { _ in port() }.joined(separator: ", "))]")
                }
                rules.append("{\(fields.joined(separator: ", "))}")
            }
            return "[\(rules.joined(separator: ", "))]"
        }
    }

    mutating func policy(_ i: Int, ns: String) -> String {
        var spec = ["  podSelector: \(podSelector())"]
        // NCA rejects an ingress (egress) field when policyTypes omits Ingress (Egress), and it deviates from
        // SetDefaults_NetworkPolicy for `egress: []` without policyTypes (it isolates egress; Kubernetes does
        // not, A4): those shapes are covered by SemanticsRuleTests instead.
        var ingressAllowed = true, egressAllowed = true, declared = true
        switch int(0...3) {
        case 0: declared = false
        case 1: spec.append("  policyTypes: [Ingress]"); egressAllowed = false
        case 2: spec.append("  policyTypes: [Egress]"); ingressAllowed = false
        default: spec.append("  policyTypes: [Ingress, Egress]")
        }
        if ingressAllowed && chance(0.75) { spec.append("  ingress: \(rules("from"))") }
        if egressAllowed && chance(0.6) {
            var r = rules("to")
            while !declared && r == "[]" { r = rules("to") }
            spec.append("  egress: \(r)")
        }
        return """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: np\(i)
              namespace: \(ns)
            spec:
            \(spec.joined(separator: "\n"))
            """
    }
}
