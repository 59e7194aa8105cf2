import Testing

/// Waits until `condition` holds, checking every `interval`: the one way tests wait for work
/// that happens elsewhere (a worker, a child process, the simulator), with a deadline generous
/// enough for a busy machine instead of a fixed sleep. After `timeout` it records an issue (with
/// `comment`) and returns false, so a test can stop what depended on the condition.
@discardableResult
public func eventually(
    _ timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50), _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    let said = "condition not met within \(timeout)" + (comment.map { ": \($0.rawValue)" } ?? "")
    Issue.record(Comment(rawValue: said), sourceLocation: sourceLocation)
    return false
}
