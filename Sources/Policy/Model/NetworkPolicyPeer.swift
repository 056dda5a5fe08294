/// One `from` / `to` entry. Selectors in one entry are ANDed (C3); a nil selector means "field not set".
public enum NetworkPolicyPeer: Sendable, Hashable {
    /// podSelector and/or namespaceSelector (at least one is non-nil).
    /// podSelector alone: pods in the policy's namespace (C1); namespaceSelector alone: all pods in the matching
    /// namespaces (C2); both: matching pods in matching namespaces.
    case pods(podSelector: LabelSelector?, namespaceSelector: LabelSelector?)
    case ipBlock(IPBlock)
}
