/// An edge in one time bucket (`bucket`: the bucket's start, see `TimeBucket`).
public struct BucketedEdge: Sendable, Hashable, Comparable {
    public var edge: EdgeKey
    public var bucket: Int64
    public init(edge: EdgeKey, bucket: Int64) {
        self.edge = edge
        self.bucket = bucket
    }

    public static func < (a: BucketedEdge, b: BucketedEdge) -> Bool {
        a.edge != b.edge ? a.edge < b.edge : a.bucket < b.bucket
    }
}
