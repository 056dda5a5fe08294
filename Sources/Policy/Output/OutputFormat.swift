/// Output formats of the check, connectivity and diff reports.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, md
}
