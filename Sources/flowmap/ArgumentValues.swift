import ArgumentParser
import FlowMapKit

// Every enumerated option is typed: a bad value is a usage error of its verb that lists the valid values, and
// the completion scripts complete them (`allValueStrings`).
extension ResultFormat: ExpressibleByArgument {}
extension Map.Format: ExpressibleByArgument {}
extension Export.Format: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
extension PolicyFlavor: ExpressibleByArgument {}
extension PolicyLayout: ExpressibleByArgument {}
extension ClusterBaselineKind: ExpressibleByArgument {}
extension HostNetworkMode: ExpressibleByArgument {}
extension CiliumEnforcement: ExpressibleByArgument {}
extension DNSMode: ExpressibleByArgument {}
extension SelectorMode: ExpressibleByArgument {}

/// `--output` of the verbs without a Markdown form (ingest, generate, doctor, summary, explain): a bad value,
/// `md` included, is a usage error listing these.
enum PlainFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json, yaml

    var format: ResultFormat { ResultFormat(rawValue: rawValue)! }
}

/// `-o/--output` of the store and explain verbs (text, json or yaml), and the one way they print their result.
struct PlainOutputFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "Output: text, json or yaml.")
    var output: PlainFormat = .text

    var isText: Bool { output == .text }

    /// The result: `text` (whole lines, ending with a newline) for a person, else `document` in json or yaml.
    func show(text: () -> String, document: (ResultFormat) -> String) {
        if isText { Console.result(text(), .text) } else { Console.result(document(output.format), output.format) }
    }
}
