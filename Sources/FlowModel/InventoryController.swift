/// A pod controller of the inventory (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) with its
/// `spec.selector`: the selector its owner chose for exactly its pods, preferred for policies over a minimal one.
public struct InventoryController: Sendable, Hashable {
    /// The workload, named as its pods' workload is (a Deployment, not its ReplicaSets).
    public var workload: Endpoint
    /// `spec.selector.matchLabels`, volatile keys included (`VolatileLabels.stable` removes them).
    public var selector: Labels
    /// False when the selector also has `matchExpressions`: its labels alone would select more than the
    /// controller does, so it is not used and the minimal selector is chosen instead.
    public var usable: Bool

    public init(workload: Endpoint, selector: Labels, usable: Bool = true) {
        self.workload = workload
        self.selector = selector
        self.usable = usable
    }
}
