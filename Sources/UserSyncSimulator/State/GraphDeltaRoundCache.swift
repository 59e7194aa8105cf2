import Synchronization

/// The last few delta rounds computed, so that each page of a round over a group of 100,000
/// does not work out the whole membership again. Safe because a round is a function of its key:
/// the log only grows, and a re-seeded organization's log has another epoch.
final class GraphDeltaRoundCache: Sendable {
    struct Key: Hashable, Sendable {
        var organization: String
        var epoch: UInt64
        var teams: [Int]
        var since: Int?
        var upTo: Int
    }

    private static let capacity = 8
    /// Most recently used first.
    private let rounds = Mutex<[(key: Key, round: GraphDeltaRound)]>([])

    func round(_ key: Key, compute: () -> GraphDeltaRound) -> GraphDeltaRound {
        if let hit = rounds.withLock({ rounds -> GraphDeltaRound? in
            guard let index = rounds.firstIndex(where: { $0.key == key }) else { return nil }
            let entry = rounds.remove(at: index)
            rounds.insert(entry, at: 0)
            return entry.round
        }) {
            return hit
        }
        // Computed outside the lock; two requests racing for the same round compute it twice.
        let round = compute()
        rounds.withLock { rounds in
            rounds.removeAll { $0.key == key }
            rounds.insert((key, round), at: 0)
            if rounds.count > Self.capacity { rounds.removeLast() }
        }
        return round
    }
}
