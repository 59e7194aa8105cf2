/// Work the database undid because a concurrent change touched the same data (PostgreSQL ended
/// it as one side of a deadlock, or as a serialization failure): nothing of it was applied, and
/// doing it again can succeed. The API answers 503 with `Retry-After`; a job is retried.
public struct ConcurrentChange: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
