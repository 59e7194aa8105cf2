import Foundation
import Logging
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncTesting

@testable import UserSyncWorker

/// A claim passes over a due job whose row another transaction holds (`FOR UPDATE SKIP LOCKED`), as
/// the relay's receiver holds its connection's job while adding a conversation to it (sql/0045).
extension ProcessorTests {
    @Test("a claim says whether it passed over due jobs: held by another transaction, not those not yet due")
    func claimSaysWhatItPassedOver() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let queue = JobQueue(database: db.service)
            let ids = try await db.enqueue(
                [
                    try NewJob(kind: "count", payload: Numbered(n: 1)), try NewJob(kind: "count", payload: Numbered(n: 2)),
                    try NewJob(kind: "count", payload: Numbered(n: 3), runAt: Date().addingTimeInterval(3600)),
                ], for: org)
            let (held, free) = (ids[0]!, ids[1]!)
            func claim() async throws -> Claim {
                try await queue.claim(worker: "w", limit: 10, perOrganization: 10, lease: .seconds(30), logger: db.logger)
            }
            try await db.admin.withTransaction(logger: db.logger) { connection in
                try await connection.query("SELECT 1 FROM jobs WHERE id = \(held) FOR NO KEY UPDATE", logger: db.logger)
                let first = try await claim()
                #expect(first.jobs.map(\.id) == [free])
                #expect(first.passedOver, "the held job is due and still queued")
                let second = try await claim()
                #expect(second.jobs.isEmpty)
                #expect(second.passedOver)
            }
            let third = try await claim()
            #expect(third.jobs.map(\.id) == [held])
            #expect(!third.passedOver, "what is left is not due yet")
            let fourth = try await claim()
            #expect(fourth.jobs.isEmpty)
            #expect(!fourth.passedOver)
        }
    }

    @Test("the release before's claim, for its workers during an upgrade, claims the same way without the last row")
    func earlierClaimStillClaims() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let ids = try await db.enqueue(
                [try NewJob(kind: "count", payload: Numbered(n: 1)), try NewJob(kind: "count", payload: Numbered(n: 2))], for: org)
            let claimed = try await db.admin.withTransaction(logger: db.logger) { connection in
                try await connection.query("SELECT 1 FROM jobs WHERE id = \(ids[1]!) FOR NO KEY UPDATE", logger: db.logger)
                // Another session claims, as an earlier worker would, while this one holds the second job.
                return try await db.service.client.withConnection { other in
                    var claimed: [Int64?] = []
                    let rows = try await other.query(
                        "SELECT id FROM usersync_claim_jobs('old', 10, 10, 30, gen_random_uuid())", logger: db.logger)
                    for try await id in rows.decode(Int64?.self) { claimed.append(id) }
                    return claimed
                }
            }
            #expect(claimed == [ids[0]!], "the held job passed over, and no row of NULLs")
            #expect(try await db.job(ids[0]!).state == .running)
        }
    }

    @Test("a due job held by another transaction when the worker claims runs once it is let go, with no notification or poll")
    func passedOverJobRunsWhenLetGo() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            let id = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: 1))], for: org)[0]!
            var settings = quickSettings()
            settings.pollInterval = .seconds(600)
            // The row is held before the worker starts, and let go once it has claimed three times.
            let (held, holding) = AsyncStream.makeStream(of: Void.self)
            let (letGo, release) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await db.admin.withTransaction(logger: db.logger) { connection in
                    try await connection.query("SELECT 1 FROM jobs WHERE id = \(id) FOR NO KEY UPDATE", logger: db.logger)
                    holding.finish()
                    for await _ in letGo {}
                }
            }
            for await _ in held {}
            _ = try await withProcessors(db, handlers: Self.counting(recorder), settings: settings) { processors in
                // The first claim (at start) and two more, each after a pause: no sign came.
                try await eventually { processors[0].claimCount >= 3 }
                #expect(try await db.job(id).state == .queued)
                release.finish()
                try await holder.value
                try await eventually(.seconds(120)) { try await db.job(id).state == .succeeded }
            }
            #expect(recorder.runs == [id: 1])
        }
    }
}
