/// The one workload-identity resolver every reader uses (docs/ingest.md "Workload identity"), so the same pod has
/// the same workload whatever reported it (Hubble, Calico, the generic records, the inventory behind VPC logs).
/// In this order:
/// 1. its controller owner as the source reports it (Hubble `workloads[0]`, generic `*_workload` and
///    `*_workload_kind`, the inventory's `ownerReferences`), resolved to the top controller
///    (`owner(kind:name:podName:labels:)`): a ReplicaSet `<name>-<pod-template-hash>` is Deployment `<name>`, a Job
///    `<name>-<scheduled minute>` is CronJob `<name>`, a Node (a static pod) is the pod itself; a reported workload
///    without a kind is a Deployment;
/// 2. else its pod name's generate-name prefix (Calico's `name_aggr`, `nginx-86c57db685-*`; `generateName(_:labels:)`);
/// 3. else its pod name (`WorkloadGuess.fromPodName`; a pod with a `job-name` label its Job, or that Job's CronJob);
/// 4. else its labels: the first of `appLabelKeys` present names it (`.byLabels`, what a Hubble proxy leg without a
///    pod name reports: a label identity the store resolves to the workload those labels select).
public enum WorkloadIdentity {
    /// Label keys that name a pod's workload when nothing else does, in this order: `app` (the documented rule and
    /// the most common), the recommended `app.kubernetes.io/name`, then `k8s-app` (kube-system add-ons).
    public static let appLabelKeys = ["app", "app.kubernetes.io/name", "k8s-app"]

    /// The value of the first of `appLabelKeys` in `labels`.
    public static func appName(_ labels: Labels) -> String? {
        for k in appLabelKeys { if let v = labels[k], !v.isEmpty { return v } }
        return nil
    }

    public enum Resolution: Equatable, Sendable {
        /// A workload (name, kind) from the owner, the generate-name or the pod name.
        case workload(name: String, kind: String)
        /// No owner and no pod name: named by `appName` (nil when no such label), to be resolved by its labels.
        case byLabels(name: String?)
        /// Nothing names it.
        case unknown
    }

    /// What a reader knows about one pod; empty strings for what it does not know.
    /// `ownersListed`: the source lists every owner (the inventory), so a pod without one is a bare pod, its own
    /// workload, not a guess from its name.
    public static func resolve(owner: (kind: String, name: String)? = nil, ownersListed: Bool = false,
                               generateName: String = "", podName: String = "", labels: Labels) -> Resolution {
        if ownersListed, owner == nil { return .workload(name: podName, kind: "Pod") }
        if let o = owner {
            let w = self.owner(kind: o.kind.isEmpty && !ownersListed ? "Deployment" : o.kind, name: o.name, podName: podName,
                               labels: labels)
            return .workload(name: w.name, kind: w.kind)
        }
        if !generateName.isEmpty {
            let w = self.generateName(generateName, labels: labels)
            return .workload(name: w.name, kind: w.kind)
        }
        if !podName.isEmpty {
            // A Job's pods carry its name (`<job>-<suffix>`): the CronJob behind it, as its owner would say.
            if let job = labels["batch.kubernetes.io/job-name"] ?? labels["job-name"], podName.hasPrefix(job + "-") {
                let w = WorkloadGuess.fromJobName(job)
                return .workload(name: w.name, kind: w.kind)
            }
            let w = WorkloadGuess.fromPodName(podName)
            return .workload(name: w.name, kind: w.kind)
        }
        if !labels.isEmpty { return .byLabels(name: appName(labels)) }
        return .unknown
    }

    /// The workload of a pod from its controller owner: a ReplicaSet whose name is another name plus the pod's
    /// `pod-template-hash` (or, without that label, plus a template hash) belongs to that Deployment; a Job
    /// `<cronjob>-<minute>` to that CronJob; a Node owns static (mirror) pods, which are their own workload.
    public static func owner(kind: String, name: String, podName: String, labels: Labels) -> (name: String, kind: String) {
        if kind == "ReplicaSet" {
            if let hash = labels["pod-template-hash"], name.hasSuffix("-" + hash) {
                return (String(name.dropLast(hash.count + 1)), "Deployment")
            }
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            if parts.count >= 2, WorkloadGuess.isTemplateHash(parts[parts.count - 1]) {
                return (parts.dropLast().joined(separator: "-"), "Deployment")
            }
        }
        if kind == "Node" { return (podName.isEmpty ? name : podName, "Pod") }
        if kind == "Job" { return WorkloadGuess.fromJobName(name) }
        return (name, kind)
    }

    /// The workload behind a pod's generate-name with `*` (Calico's `name_aggr`): `nginx-86c57db685-*` is
    /// Deployment `nginx` (the ReplicaSet hash stripped, checked against `pod-template-hash` when present),
    /// `fluentd-*` a DaemonSet (or a Job / StatefulSet when the labels say so). Without the `*` it is a full pod
    /// name (`WorkloadGuess.fromPodName`).
    public static func generateName(_ nameAggr: String, labels: Labels) -> (name: String, kind: String) {
        guard nameAggr.hasSuffix("*") else { return WorkloadGuess.fromPodName(nameAggr) }
        var stem = String(nameAggr.dropLast())
        if stem.hasSuffix("-") { stem.removeLast() }
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        if let hash = labels["pod-template-hash"], stem.hasSuffix("-" + hash) {
            return (String(stem.dropLast(hash.count + 1)), "Deployment")
        }
        if parts.count >= 2, labels["pod-template-hash"] == nil, WorkloadGuess.isTemplateHash(parts[parts.count - 1]),
           labels["controller-revision-hash"] == nil, labels["job-name"] == nil {
            return (parts.dropLast().joined(separator: "-"), "Deployment")
        }
        if let job = labels["job-name"] ?? labels["batch.kubernetes.io/job-name"] {
            return WorkloadGuess.fromJobName(stem == job || stem.isEmpty ? job : stem)
        }
        if labels["controller-revision-hash"] != nil && labels["pod-template-generation"] == nil {
            return (stem, "StatefulSet")
        }
        return (stem, "DaemonSet")
    }
}
