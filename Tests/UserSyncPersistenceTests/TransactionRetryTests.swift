import Foundation
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncTesting

/// A transaction PostgreSQL ends to break a deadlock runs again; other failures do not.
@Suite struct TransactionRetryTests {
    @Test("a deadlock victim runs again from the start and commits, and the other side commits too")
    func deadlockVictimRunsAgain() async throws {
        try await withTestDatabase { db in
            let (org, first, second) = try await Self.twoPeople(db)
            #expect(try await Self.loseADeadlock(db, org, first, second, attempts: 3) == 2)
            // The service ran again after the other side committed: its writes are the last.
            #expect(try await db.adminQueryText("SELECT display_name FROM people WHERE id = '\(first)'") == "service first")
            #expect(try await db.adminQueryText("SELECT display_name FROM people WHERE id = '\(second)'") == "service second")
        }
    }

    @Test("a deadlock victim out of attempts is a ConcurrentChange, and nothing of it is stored")
    func deadlockOutOfAttemptsIsAConcurrentChange() async throws {
        try await withTestDatabase { db in
            let (org, first, second) = try await Self.twoPeople(db)
            await #expect(throws: ConcurrentChange.self) { try await Self.loseADeadlock(db, org, first, second, attempts: 1) }
            #expect(try await db.adminQueryText("SELECT string_agg(display_name, ',') FROM people") == "other,other")
        }
    }

    private static func organization(_ db: TestDatabase, _ slug: String) async throws -> OrganizationID {
        let org = OrganizationID.random()
        try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(org.rawValue), \(slug), \(slug))")
        return org
    }

    private static func twoPeople(_ db: TestDatabase) async throws -> (OrganizationID, UUID, UUID) {
        let org = try await organization(db, "retry")
        let (first, second) = (UUID(), UUID())
        for (person, email) in [(first, "first@retry.test"), (second, "second@retry.test")] {
            try await db.adminQuery("INSERT INTO people (org_id, id, email_normalized) VALUES (\(org.rawValue), \(person), \(email))")
        }
        return (org, first, second)
    }

    /// Runs the service's transaction into a deadlock it loses on its first attempt; returns how
    /// many attempts it took to commit.
    private static func loseADeadlock(_ db: TestDatabase, _ org: OrganizationID, _ first: UUID, _ second: UUID, attempts allowed: Int)
        async throws -> Int
    {
        let (locked, holding) = AsyncStream.makeStream(of: Void.self)
        let (committed, committing) = AsyncStream.makeStream(of: Void.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // The other side locks the second person, waits until the service holds the first and
            // waits for the second, then asks for the first: a deadlock, which the service side
            // detects (its deadlock_timeout is far shorter) and loses. The service starts only once
            // the other side holds its lock: started first, it could finish before the deadlock.
            group.addTask {
                defer {  // a failure must not leave the service waiting
                    holding.finish()
                    committing.finish()
                }
                try await db.admin.withTransaction(logger: db.logger) { c in
                    try await c.query("SET LOCAL deadlock_timeout = '10min'", logger: db.logger)
                    try await c.query("UPDATE people SET display_name = 'other' WHERE id = \(second)", logger: db.logger)
                    holding.finish()
                    try await eventually { try await db.statementsWaitingOnALock(containing: "'service second'") > 0 }
                    try await c.query("UPDATE people SET display_name = 'other' WHERE id = \(first)", logger: db.logger)
                }
            }
            for await _ in locked {}
            var attempts = 0
            try await db.service.withTenantRetryingConflicts(org, attempts: allowed, logger: db.logger) { c in
                attempts += 1
                if attempts == 2 { await Self.untilFinished(committed) }
                try await c.query("UPDATE people SET display_name = 'service first' WHERE id = \(first)", logger: db.logger)
                try await c.query("UPDATE people SET display_name = 'service second' WHERE id = \(second)", logger: db.logger)
            }
            try await group.waitForAll()
            return attempts
        }
    }

    /// Waits for the other side's commit before the service's second attempt. The deadlock's
    /// victim releases its row at once, and the other side's update, woken to take it, may still
    /// be on its way to a core: a second attempt started then takes the row first and meets the
    /// same deadlock again (three attempts, seen on a busy machine).
    private static func untilFinished(_ stream: AsyncStream<Void>) async {
        for await _ in stream {}
    }

    @Test("a deadlock met while waiting for the people lock ends the attempt, and the transaction runs again")
    func deadlockOnThePeopleLockRunsAgain() async throws {
        try await withTestDatabase { db in
            let org = try await Self.organization(db, "locks")
            let person = UUID()
            try await db.adminQuery("INSERT INTO people (org_id, id, email_normalized) VALUES (\(org.rawValue), \(person), 'p@locks.test')")
            let (locked, holding) = AsyncStream.makeStream(of: Void.self)
            let (committed, committing) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The other side holds the people lock; the service writes the person, then waits for
                // the lock; the other side then writes the person: the service's lock wait is the
                // one PostgreSQL ends, an error that arrives after the lock statement's first row.
                // The service starts only once the other side holds the lock.
                group.addTask {
                    defer {
                        holding.finish()
                        committing.finish()
                    }
                    try await db.admin.withTransaction(logger: db.logger) { c in
                        try await c.query("SET LOCAL deadlock_timeout = '10min'", logger: db.logger)
                        try await c.query(
                            "SELECT pg_advisory_xact_lock(hashtextextended('usersync.people:' || \(org.description), 0))", logger: db.logger)
                        holding.finish()
                        try await eventually { try await db.statementsWaitingOnALock(containing: "pg_advisory_xact_lock") > 0 }
                        try await c.query("UPDATE people SET display_name = 'other' WHERE id = \(person)", logger: db.logger)
                    }
                }
                for await _ in locked {}
                var attempts = 0
                try await db.service.withTenantRetryingConflicts(org, logger: db.logger) { c in
                    attempts += 1
                    if attempts == 2 { await Self.untilFinished(committed) }
                    try await c.query("UPDATE people SET display_name = 'service' WHERE id = \(person)", logger: db.logger)
                    try await PeopleMatcher.lockPeople(org, on: c, logger: db.logger)
                    try await c.query("UPDATE people SET needs_primary_choice = true WHERE id = \(person)", logger: db.logger)
                }
                try await group.waitForAll()
                #expect(attempts == 2)
            }
            #expect(try await db.adminQueryText("SELECT display_name || needs_primary_choice FROM people") == "servicetrue")
        }
    }

    @Test("a transaction whose statement failed unseen is reported rolled back, never as done")
    func unseenFailureIsNotTakenForACommit() async throws {
        try await withTestDatabase { db in
            let org = try await Self.organization(db, "unseen")
            await #expect(throws: TransactionRolledBack.self) {
                try await db.service.withTenant(org, logger: db.logger) { c in
                    try await c.query(
                        "INSERT INTO people (org_id, id, email_normalized) VALUES (\(org.rawValue), \(UUID()), 'a@unseen.test')", logger: db.logger)
                    // Its third row divides by zero, after the row description that ends the call;
                    // its rows are never read.
                    try await c.query("SELECT 1 / (3 - x) FROM generate_series(1, 5) x", logger: db.logger)
                }
            }
            #expect(try await db.adminQueryText("SELECT count(*)::text FROM people") == "0")
        }
    }

    @Test("a failure that is not a conflict is thrown at once, without running the body again")
    func otherFailuresAreNotRetried() async throws {
        try await withTestDatabase { db in
            let org = try await Self.organization(db, "once")
            var attempts = 0
            await #expect(throws: DomainError.self) {
                try await db.service.withTenantRetryingConflicts(org, logger: db.logger) { c in
                    attempts += 1
                    try await c.query(
                        "INSERT INTO people (org_id, id, email_normalized) VALUES (\(org.rawValue), \(UUID()), 'a@once.test')", logger: db.logger)
                    try await c.query(
                        "INSERT INTO people (org_id, id, email_normalized) VALUES (\(org.rawValue), \(UUID()), 'a@once.test')", logger: db.logger)
                }
            }
            #expect(attempts == 1)
        }
    }
}
