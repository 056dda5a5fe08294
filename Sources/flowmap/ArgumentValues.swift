import ArgumentParser
import FlowMapKit

// Every enumerated option is typed: a bad value is a usage error of its verb that lists the valid values, and
// the completion scripts complete them (`allValueStrings`).
extension ResultFormat: ExpressibleByArgument {}
extension Map.Format: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
extension PolicyFlavor: ExpressibleByArgument {}
extension PolicyLayout: ExpressibleByArgument {}
extension HostNetworkMode: ExpressibleByArgument {}
extension CiliumEnforcement: ExpressibleByArgument {}
extension DNSMode: ExpressibleByArgument {}
extension SelectorMode: ExpressibleByArgument {}

extension ResultFormat {
    /// Refuses a format the verb has no form for, naming the ones it has.
    func require(_ allowed: [ResultFormat], verb: String) throws {
        guard !allowed.contains(self) else { return }
        throw ValidationError("--output \(rawValue): \(verb) has no \(rawValue) output; use "
                              + allowed.map(\.rawValue).joined(separator: ", "))
    }
}
