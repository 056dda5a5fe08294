/// The FlowMap version written into generated policies.
public enum FlowMapVersion {
    public static let current = "0.1.0"
}
