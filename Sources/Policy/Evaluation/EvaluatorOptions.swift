/// The implementation-defined parts of NetworkPolicy semantics, as explicit switches. The defaults are what
/// netpol-analyzer and NCA (the differential-test oracle) assume.
public struct EvaluatorOptions: Sendable, Hashable {
    /// E3: do ipBlocks match pod IPs? false = never (netpol-analyzer, NCA: pods are only selected by selectors);
    /// true = a workload is matched when all of its known pod IPs are in the block (upstream e2e, cyclonus).
    public var ipBlockMatchesPodIPs: Bool = false

    /// G1: how host-network pods are treated.
    public enum HostNetworkMode: String, Sendable, Hashable, CaseIterable {
        /// Like any pod: selected by selectors and isolated by policies (netpol-analyzer, NCA).
        case asPods = "pods"
        /// As node traffic (most CNIs): never selected by podSelector/namespaceSelector, never isolated; their
        /// traffic carries the node IP, which ipBlocks match; traffic to or from pods on the same node is allowed.
        case asNode = "node"
    }
    public var hostNetwork: HostNetworkMode = .asPods

    /// B6: a single pod (workload kind `Pod`) talking to itself is always allowed. When false the pair is
    /// evaluated like any other (cyclonus). Replicas of one controller are distinct pods and always evaluated.
    public var selfAlwaysAllowed: Bool = true

    /// F4: when false (CNI without endPort support) only `port` of a port range is enforced.
    public var endPortSupported: Bool = true

    public init(ipBlockMatchesPodIPs: Bool = false, hostNetwork: HostNetworkMode = .asPods,
                selfAlwaysAllowed: Bool = true, endPortSupported: Bool = true) {
        self.ipBlockMatchesPodIPs = ipBlockMatchesPodIPs
        self.hostNetwork = hostNetwork
        self.selfAlwaysAllowed = selfAlwaysAllowed
        self.endPortSupported = endPortSupported
    }

    /// How Cilium is configured, for sets with Cilium policies (docs/cilium-semantics.md, "Configuration").
    public var cilium: CiliumOptions = .default

    public static let `default` = EvaluatorOptions()
}
