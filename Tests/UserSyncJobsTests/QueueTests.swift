import Foundation
import Logging
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncWorker

@Suite("The job queue: enqueue, dedupe, claim")
struct QueueTests {
    @Test("a job exists exactly when the transaction that enqueued it committed")
    func enqueueIsTransactional() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await db.service.withTenant(org, logger: db.logger) { connection in
                    try await JobQueue.enqueue(NewJob(kind: "noop"), organization: org, on: connection, logger: db.logger)
                    throw Abort()
                }
            }
            #expect(try await db.count(state: .queued) == 0)
            try await db.enqueue([NewJob(kind: "noop")], for: org)
            #expect(try await db.count(state: .queued) == 1)
        }
    }

    @Test("a fan-out of 10,000 jobs is one statement and keeps the input order")
    func bulkEnqueue() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let jobs = try (0..<10_000).map { try NewJob(kind: "noop", payload: Numbered(n: $0)) }
            let ids = try await db.enqueue(jobs, for: org)
            #expect(ids.compactMap { $0 }.count == 10_000)
            #expect(ids.compactMap { $0 } == ids.compactMap { $0 }.sorted(), "ids follow the input order")
            let last = try await db.job(ids.last!!)
            #expect(last.payload.contains("9999"))
            #expect(try await db.count(state: .queued) == 10_000)
        }
    }

    @Test("the dedupe key allows one live job per organization, under concurrent enqueues")
    func dedupe() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let other = try await db.organization()
            let results = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await db.enqueue([NewJob(kind: "import", dedupeKey: "connection-1")], for: org)[0] }
                }
                var ids: [Int64?] = []
                for try await id in group { ids.append(id) }
                return ids
            }
            #expect(results.compactMap { $0 }.count == 1)
            // Another organization's same key is its own; a repeated key in one batch runs once.
            let batch = try await db.enqueue(
                [NewJob(kind: "import", dedupeKey: "connection-1"), NewJob(kind: "import", dedupeKey: "connection-1"), NewJob(kind: "noop")],
                for: other)
            #expect(batch[0] != nil && batch[1] == nil && batch[2] != nil)
            // Once the live job finishes, the key is free again.
            try await db.adminQuery("UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE org_id = \(org.rawValue)")
            #expect(try await db.enqueue([NewJob(kind: "import", dedupeKey: "connection-1")], for: org)[0] != nil)
        }
    }

    @Test("claims skip rows other claimers hold and spend an attempt")
    func concurrentClaims() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            try await db.enqueue((0..<500).map { _ in NewJob(kind: "noop") }, for: org)
            let queue = JobQueue(database: db.service)
            let claimed = try await withThrowingTaskGroup(of: [ClaimedJob].self) { group in
                for index in 0..<5 {
                    group.addTask {
                        var mine: [ClaimedJob] = []
                        while true {
                            let batch = try await queue.claim(
                                worker: "w\(index)", limit: 25, perOrganization: 25, lease: .seconds(30), logger: db.logger
                            ).jobs
                            if batch.isEmpty { return mine }
                            mine += batch
                        }
                    }
                }
                var all: [ClaimedJob] = []
                for try await batch in group { all += batch }
                return all
            }
            #expect(claimed.count == 500)
            #expect(Set(claimed.map(\.id)).count == 500, "no job claimed twice")
            #expect(claimed.allSatisfy { $0.attempts == 1 })
        }
    }

    @Test("a claim takes exactly what it returns, also once PL/pgSQL switches to its generic plan")
    func claimTakesNoMoreThanItReturns() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            _ = try await db.organization()
            try await db.enqueue(Array(repeating: NewJob(kind: "noop"), count: 20_000), for: org)
            let queue = JobQueue(database: db.service)
            var returned = 0
            // The same pooled connection serves the calls, so the plan cache is exercised.
            for _ in 0..<10 {
                returned += try await queue.claim(worker: "w", limit: 32, perOrganization: 50, lease: .seconds(30), logger: db.logger).jobs.count
            }
            #expect(returned == 320)
            #expect(try await db.count(state: .running) == 320)
        }
    }

    @Test("another organization's jobs are invisible on a tenant connection")
    func tenantScope() async throws {
        try await withTestDatabase { db in
            let a = try await db.organization()
            let b = try await db.organization()
            let bJob = try await db.enqueue([NewJob(kind: "noop")], for: b)[0]!
            let seen = try await db.service.withTenant(a, logger: db.logger) { connection in
                try await JobQueue.list(JobFilter(organizationID: b), on: connection, logger: db.logger)
            }
            #expect(seen.isEmpty)
            let fetched = try await db.service.withTenant(a, logger: db.logger) { connection in
                try await JobQueue.get(bJob, organization: nil, on: connection, logger: db.logger)
            }
            #expect(fetched == nil)
        }
    }

    @Test("retention deletes old finished jobs and keeps dead ones")
    func retention() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            try await db.enqueue((0..<3).map { _ in NewJob(kind: "noop") }, for: org)
            try await db.adminQuery(
                """
                UPDATE jobs SET state = CASE WHEN id % 3 = 0 THEN 'failed' ELSE 'succeeded' END,
                       finished_at = now() - interval '10 days'
                """)
            var settings = quickSettings()
            settings.retention = .seconds(7 * 24 * 3600)
            let deleted = await JobRetention(queue: JobQueue(database: db.service), settings: settings, logger: db.logger).deleteOnce()
            #expect(deleted == 2)
            #expect(try await db.count(state: .failed) == 1)
        }
    }

    @Test("operators retry dead jobs and cancel queued ones; other states are refused")
    func operations() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let ids = try await db.enqueue([NewJob(kind: "noop"), NewJob(kind: "noop")], for: org)
            let queue = JobQueue(database: db.service)
            let cancelled = try await queue.cancel(ids[0]!, logger: db.logger)
            #expect(cancelled.state == .cancelled)
            await #expect(throws: DomainError.self) { try await queue.cancel(ids[0]!, logger: db.logger) }
            await #expect(throws: DomainError.self) { try await queue.retry(ids[1]!, logger: db.logger) }
            let retried = try await queue.retry(ids[0]!, logger: db.logger)
            #expect(retried.state == .queued && retried.attempts == 0)
            await #expect(throws: DomainError.self) { try await queue.retry(999_999, logger: db.logger) }
        }
    }
}
