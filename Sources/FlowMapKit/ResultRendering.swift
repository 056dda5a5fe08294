import FlowMapView
import Policy

// Each policy verb's result in every `--output` format: text, md and json by the verb's formatter, yaml as the
// same document as json.

extension ResultFormat {
    /// The formatter's format; yaml is rendered from json.
    var formatter: OutputFormat {
        switch self {
        case .text: return .text
        case .md: return .md
        case .json, .yaml: return .json
        }
    }

    func finish(_ text: String) -> String { ResultText.document(text, as: self) }
}

extension Check.Result {
    /// At most `limit` items per section in text and md; json and yaml list everything.
    public func render(_ f: ResultFormat, limit: Int) -> String {
        f.finish(CheckFormatter.format(report, as: f.formatter, limit: limit, context: context))
    }
}

extension Connectivity.Result {
    public func render(_ f: ResultFormat) -> String {
        f.finish(ConnlistFormatter.format(entries, as: f.formatter, context: context, exposure: exposure))
    }

    /// The verdict line (stderr in text output).
    public var summary: String { ConnlistFormatter.summary(entries, context) }
}

extension Diff.Result {
    /// `limit` lines per section in text and md (0: all); json and yaml are complete.
    public func render(_ f: ResultFormat, limit: Int) -> String {
        f.finish(DiffFormatter.format(report, as: f.formatter, limit: limit))
    }

    /// The per-policy YAML diff (`--structural`), in Markdown for md.
    public func structural(markdown: Bool) -> String {
        StructuralDiff.format(old: old.policies, new: new.policies, markdown: markdown)
    }
}

extension Summary {
    /// Text tables, or the JSON / YAML document (md is not offered: the tables are for a terminal).
    public static func render(_ r: SummaryReport, as f: ResultFormat) -> String {
        f == .text ? r.render() : ResultText.document(verb: "summary", SummaryJSON(r), as: f)
    }
}
