#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import ArgumentParser
import FlowMapKit

/// The one exit-code contract of every verb (README "Exit codes"): 0 everything evaluated, no finding; 1
/// everything evaluated, a finding (would break, differs, denied, rejected lines, damaged store); 2 could not
/// evaluate (bad usage, unreadable or invalid input, nothing to evaluate, a failed write).
enum ExitStatus: Int32 {
    case ok = 0
    case finding = 1
    case cannotEvaluate = 2

    /// Throw from a command to report a finding (its output is already printed).
    static var findingCode: ExitCode { ExitCode(ExitStatus.finding.rawValue) }

    /// The one mapping from an error escaping a verb to its exit status, with the message printed:
    /// ArgumentParser's help and version requests exit 0 on stdout; an `ExitCode` a verb threw keeps its value
    /// (the verb printed why); usage errors (ArgumentParser's 64) and every other error are 2 on stderr, named
    /// after the verb (`flowmap check: error: …`; each error's text says how to fix it).
    static func code(for error: Error, verb: String) -> Int32 {
        if let e = error as? ExitCode { return e.rawValue }
        switch FlowMapCommand.exitCode(for: error) {
        case .success:
            print(FlowMapCommand.fullMessage(for: error))
            return ExitStatus.ok.rawValue
        case .validationFailure where error is ValidationError:
            // Thrown while running, after parsing: ArgumentParser would print the top-level usage.
            Console.error("\(verb): error: \(error) (see `\(verb) --help`)")
        case .validationFailure:
            Console.error(FlowMapCommand.fullMessage(for: error))
        default:
            Console.error("\(verb): error: \(error)")
        }
        return ExitStatus.cannotEvaluate.rawValue
    }

    /// Flushes and closes stdout; a result that did not reach it completely (a full disk, a closed pipe)
    /// turns any status into 2.
    static func finish(_ code: Int32) -> Int32 {
        let out = stdout
        var failure: Int32 = 0
        if fflush(out) != 0 { failure = errno }
        if ferror(out) != 0 && failure == 0 { failure = EIO }
        if fclose(out) != 0 && failure == 0 { failure = errno }
        guard failure != 0 else { return code }
        Console.error("error: stdout: write failed: \(String(cString: strerror(failure))): the output is incomplete")
        return ExitStatus.cannotEvaluate.rawValue
    }
}
