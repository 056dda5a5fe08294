/// Derives a workload from a pod name when the source carries no owner information.
/// `reviews-v1-545db77b95-s6jb8` -> Deployment `reviews-v1`; `web-0` -> StatefulSet `web`;
/// `fluentd-x7k2p` -> DaemonSet `fluentd` (ReplicaSet/DaemonSet pods both end in 5 characters; DaemonSet is the
/// only controller that adds just that suffix); anything else -> Pod with its own name.
public enum WorkloadGuess {
    static let podSuffixAlphabet = Set("bcdfghjklmnpqrstvwxz2456789")

    public static func fromPodName(_ pod: String) -> (name: String, kind: String) {
        let parts = pod.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count >= 3, isSuffix(parts[parts.count - 1]), isTemplateHash(parts[parts.count - 2]) {
            return (parts.dropLast(2).joined(separator: "-"), "Deployment")
        }
        if parts.count >= 2, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber), last.count <= 5 {
            return (parts.dropLast().joined(separator: "-"), "StatefulSet")
        }
        if parts.count >= 2, let last = parts.last, isSuffix(last) {
            return (parts.dropLast().joined(separator: "-"), "DaemonSet")
        }
        return (pod, "Pod")
    }

    /// A Job's workload: a CronJob names its Jobs `<cronjob>-<scheduled minute>` (8 or more digits), so such a
    /// Job belongs to that CronJob; any other Job is its own workload.
    public static func fromJobName(_ job: String) -> (name: String, kind: String) {
        let parts = job.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count >= 2, let last = parts.last, last.count >= 8, last.allSatisfy(\.isNumber) {
            return (parts.dropLast().joined(separator: "-"), "CronJob")
        }
        return (job, "Job")
    }

    public static func isSuffix(_ s: Substring) -> Bool {
        s.count == 5 && s.allSatisfy { podSuffixAlphabet.contains($0) }
    }

    /// pod-template-hash: 6 to 10 characters of the same safe alphabet.
    public static func isTemplateHash(_ s: Substring) -> Bool {
        (6...10).contains(s.count) && s.allSatisfy { podSuffixAlphabet.contains($0) }
    }
}
