/// The input formats `flowmap ingest` understands.
public enum InputFormat: String, Sendable, CaseIterable {
    case auto
    case hubble
    case calico
    case vpc
    case flowmapCSV = "flowmap-csv"
    case flowmapJSONL = "flowmap-jsonl"
    case inventory
}
