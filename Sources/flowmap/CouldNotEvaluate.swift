import ArgumentParser

/// Runs a verb's FlowMapKit call. An error thrown there (no store, another program's database, a damaged store, a
/// file that cannot be read or written) means the verb evaluated nothing: it is printed and the exit code is 2,
/// never 1, which says "a finding" or "rejected lines".
enum CouldNotEvaluate {
    static func exit2<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ExitCode {
            throw e
        } catch {
            Console.error("error: \(error)")
            throw ExitCode(ExitStatus.cannotEvaluate.rawValue)
        }
    }
}
