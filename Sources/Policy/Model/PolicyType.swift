/// A NetworkPolicy direction.
public enum PolicyType: String, Sendable, Hashable, CaseIterable {
    case ingress = "Ingress"
    case egress = "Egress"
}
