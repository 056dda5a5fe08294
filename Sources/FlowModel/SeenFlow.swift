/// A flow event remembered for `--dedupe-window`: its 128-bit key and its time (nanoseconds since the epoch).
public struct SeenFlow: Sendable, Hashable {
    public struct Key: Sendable, Hashable {
        public var a: Int64, b: Int64
        public init(a: Int64, b: Int64) {
            self.a = a
            self.b = b
        }
    }

    public var key: Key
    public var time: Int64

    public init(key: Key, time: Int64) {
        self.key = key
        self.time = time
    }
}
