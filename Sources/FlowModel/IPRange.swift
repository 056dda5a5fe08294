/// An inclusive range of addresses of one family.
public struct IPRange: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var first: IPAddr
    public var last: IPAddr

    public init(first: IPAddr, last: IPAddr) {
        self.first = first
        self.last = last
    }

    public static let allV4 = IPRange(first: .v4Min, last: .v4Max)
    public static let allV6 = IPRange(first: .v6Min, last: .v6Max)

    public func contains(_ ip: IPAddr) -> Bool { ip.isV6 == first.isV6 && first <= ip && ip <= last }
    public func contains(_ r: IPRange) -> Bool { contains(r.first) && contains(r.last) }

    public static func < (a: IPRange, b: IPRange) -> Bool { (a.first, a.last) < (b.first, b.last) }

    /// `10.0.0.0-10.0.255.255` (netpol-analyzer and NCA print external ranges this way).
    public var description: String { first == last ? first.description : "\(first)-\(last)" }
}
