import ArgumentParser
import FlowMapKit

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Semantic connectivity diff of two policy sets, each over its own workloads, with the evidence.",
        discussion: """
              flowmap diff OLD NEW               two manifests paths
              flowmap diff OLD --generated       NEW: the set `flowmap generate` would write
              flowmap diff NEW --generated-old   OLD: the generated set

            Each side's connectivity is computed over its own workloads (Pods and controllers in its manifests, \
            plus --db's); pairs are changed / added / removed in netpol-analyzer's format, workloads present on \
            one side only are listed as added / removed. With --db each line is annotated: removed connections \
            that were observed (what breaks, listed first), added connections never observed. Exit status: 0 no \
            difference, 1 differences, 2 could not evaluate (no workloads on either side, unreadable input).
            """
    )

    @Argument(help: "Manifests paths: OLD then NEW (one path with --generated / --generated-old).")
    var paths: [String] = []

    @Flag(help: "NEW is the store's generated set.")
    var generated = false

    @Flag(help: "OLD is the store's generated set.")
    var generatedOld = false

    @Option(help: "The store: workloads, evidence annotations, and the generated set.")
    var db: String?

    @OptionGroup var time: WindowFlags

    @Option(name: [.short, .long], help: "Output: text, json, yaml, or md (a pull-request comment).")
    var output: ResultFormat = .text

    @Option(help: "Lines per section in text and md output (0 = all; JSON is always complete).")
    var limit: Int = 0

    @Flag(help: "Also print a structural YAML diff per policy.")
    var structural = false

    @OptionGroup var inputs: PolicyInputFlags
    @OptionGroup var evaluator: EvaluatorFlags

    func validate() throws {
        _ = try sides()
        if structural && (output == .json || output == .yaml) {
            throw ValidationError("--structural prints a YAML diff per policy, text or md only; drop it with "
                                  + "--output \(output.rawValue)")
        }
    }

    func sides() throws -> (old: Diff.Side, new: Diff.Side) {
        switch (generated, generatedOld, paths.count) {
        case (false, false, 2): return (.manifests([paths[0]]), .manifests([paths[1]]))
        case (true, false, 1): return (.manifests([paths[0]]), .generated)
        case (false, true, 1): return (.generated, .manifests([paths[0]]))
        default:
            throw ValidationError("expected OLD NEW, or one path with --generated or --generated-old (got "
                                  + "\(paths.count) path(s))")
        }
    }

    func run() throws {
        let (old, new) = try sides()
        var o = Diff.Options(old: old, new: new, db: db ?? ((generated || generatedOld) ? StoreDefault.db : nil))
        o.window = try time.window
        try evaluator.apply(inputs, to: &o)
        let r = try Diff.run(o)
        for line in r.notes { Console.error(line) }
        Console.result(r.render(output, limit: max(0, limit)), output)
        if structural { Console.result(r.structural(markdown: output == .md), output) }
        if !r.report.isEmpty { throw ExitCode(ExitStatus.finding.rawValue) }
    }
}
