import Synchronization

/// At most `limit` holders at once; the others wait their turn, first come first served. A
/// ``Database`` with a gate lets that many of its tasks hold a pooled connection at once (see
/// ``Database/init(url:poolSize:concurrentLeases:logger:)``).
package final class LeaseGate: Sendable {
    private struct State {
        var available: Int
        var nextWaiter: UInt64 = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let state: Mutex<State>

    package init(limit: Int) {
        precondition(limit > 0, "a gate lets at least one holder through")
        state = Mutex(State(available: limit))
    }

    /// Tasks waiting for their turn.
    package var waiting: Int { state.withLock { $0.waiters.count } }

    /// Waits for a turn; every successful call must be paired with ``leave()``. A task cancelled
    /// while it waits gives up its place and throws `CancellationError`.
    package func enter() async throws {
        let id = state.withLock { state in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Cancellation is looked at under the lock: a handler that ran before this found
                // no waiter to remove, and one that runs after finds this one.
                let admitted: Bool? = state.withLock { state in
                    if Task.isCancelled { return false }
                    guard state.available > 0 else {
                        state.waiters.append((id, continuation))
                        return nil
                    }
                    state.available -= 1
                    return true
                }
                switch admitted {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0).continuation }
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Ends a turn: the longest waiter goes next.
    package func leave() {
        let next = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return CheckedContinuation<Void, any Error>?.none
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
