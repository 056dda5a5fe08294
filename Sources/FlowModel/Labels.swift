/// Kubernetes labels. A dictionary; `canonical` gives the one text form used for storage and comparison.
public typealias Labels = [String: String]

extension Dictionary where Key == String, Value == String {
    /// `k1=v1,k2=v2` sorted by key; used as a stable text key for a label set. Keys cannot contain `=` or `,`
    /// (label syntax), values cannot contain `,` or `=`, so the form is unambiguous for valid labels.
    public var canonical: String {
        keys.sorted().map { "\($0)=\(self[$0]!)" }.joined(separator: ",")
    }

    /// Parses `canonical` back. Malformed parts are ignored.
    public static func fromCanonical(_ text: String) -> Labels {
        var out = Labels()
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: "=") else { continue }
            out[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        return out
    }

    /// True when every pair in `selector` is present here.
    public func matches(_ selector: Labels) -> Bool {
        selector.allSatisfy { self[$0.key] == $0.value }
    }
}

/// Label keys whose values change with every rollout or pod; never used in a selector, never stored as identity.
public enum VolatileLabels {
    /// Each entry with its reason.
    public static let keys: Set<String> = [
        "pod-template-hash",  // Deployment: changes on every rollout
        "controller-revision-hash",  // StatefulSet/DaemonSet: changes on every rollout
        "pod-template-generation",  // DaemonSet: changes on every template change
        "statefulset.kubernetes.io/pod-name",  // pins one replica
        "apps.kubernetes.io/pod-index",  // pins one replica
        "controller-uid",  // Job: unique per Job run
        "batch.kubernetes.io/controller-uid",  // Job: unique per Job run
        "job-name",  // Job: unique per CronJob run
        "batch.kubernetes.io/job-name",  // Job: unique per CronJob run
    ]

    public static func isVolatile(_ key: String) -> Bool { keys.contains(key) }

    /// The labels without volatile keys.
    public static func stable(_ labels: Labels) -> Labels { labels.filter { !keys.contains($0.key) } }
}
