import Foundation
import Synchronization
import UserSyncPersistence

/// Members listed by concurrently running team listings, gathered into batches: a batch is handed
/// out once it holds enough rows to be worth a statement, or has waited long enough that the
/// run's live counts would lag. Bounded: nobody adds more than one page before a full batch goes.
final class MemberStaging: Sendable {
    struct Batch: Sendable {
        var members: [AccountImportWriter.StagedMember] = []
        var pages = 0
        var teams = 0
    }

    static let rows = 2_000
    static let interval: Duration = .milliseconds(500)

    private let state = Mutex((batch: Batch(), since: ContinuousClock.now))

    /// Adds a page (or a finished team) and returns a batch when one is due.
    func add(_ members: [AccountImportWriter.StagedMember], pages: Int = 0, teams: Int = 0) -> Batch? {
        state.withLock { state in
            state.batch.members += members
            state.batch.pages += pages
            state.batch.teams += teams
            guard state.batch.members.count >= Self.rows || ContinuousClock.now - state.since >= Self.interval else { return nil }
            defer { state = (Batch(), ContinuousClock.now) }
            return state.batch
        }
    }

    /// Whatever is left once every listing has ended.
    func takeAll() -> Batch {
        state.withLock { state in
            defer { state = (Batch(), ContinuousClock.now) }
            return state.batch
        }
    }
}
