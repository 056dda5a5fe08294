/// What a policy set allows from one peer to another (one connlist line).
public struct ConnectivityEntry: Sendable, Hashable {
    public var source: ConnectivityPeer
    public var destination: ConnectivityPeer
    public var connections: ConnectionSet

    public init(source: ConnectivityPeer, destination: ConnectivityPeer, connections: ConnectionSet) {
        self.source = source
        self.destination = destination
        self.connections = connections
    }
}
