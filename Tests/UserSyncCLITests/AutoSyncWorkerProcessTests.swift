import Foundation
import Logging
import PostgresNIO
import Testing
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncTesting

#if canImport(Glibc)
    import Glibc
#endif

/// An Auto Sync run applied by a real `usersync work` process that is killed in the middle of
/// the apply: nothing of the half-done apply stays, and the next worker applies the run once.
@Suite struct AutoSyncWorkerProcessTests {
    struct Policy: Decodable { let id: String }

    static let members = 12

    /// An organization whose SCIM group *sales* has `members` people who are on Slack only.
    static func seed(_ db: TestDatabase) async throws -> (slack: UUID, zoom: UUID) {
        let slack = UUID(), zoom = UUID()
        try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (gen_random_uuid(), 'acme', 'Acme')")
        for (id, platform) in [(slack, "slack"), (zoom, "zoom")] {
            try await db.adminQuery(
                """
                INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
                SELECT id, \(id), \(platform), \(platform), 'W', '\\x00'::bytea, 'k1', 'http://127.0.0.1:9' FROM organizations WHERE slug = 'acme'
                """)
        }
        try await db.adminQuery(
            """
            WITH org AS (SELECT id FROM organizations WHERE slug = 'acme'),
            people AS (
                INSERT INTO people (org_id, id, email_normalized, display_name, primary_connection_id, primary_source)
                SELECT org.id, gen_random_uuid(), 'p' || n || '@acme.test', 'Person ' || n, \(slack), 'default'
                FROM org, generate_series(1, \(Self.members)) n
                RETURNING org_id, id, email_normalized
            ), accounts AS (
                INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email, person_id)
                SELECT org_id, gen_random_uuid(), \(slack), 'U' || email_normalized, email_normalized, id FROM people
            ), users AS (
                INSERT INTO directory_users (org_id, source, external_id, user_name, email_normalized)
                SELECT org_id, 'scim', 'u-' || email_normalized, email_normalized, email_normalized FROM people
            ), groups AS (
                INSERT INTO directory_groups (org_id, source, group_id, display_name) SELECT id, 'scim', 'sales', 'Sales' FROM org
            )
            INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
            SELECT org_id, 'scim', 'sales', 'u-' || email_normalized FROM people
            """)
        return (slack, zoom)
    }

    /// The backend of the worker's run, when it waits on a lock after writing (its transaction
    /// has an id only once it has written something).
    static func applyWaitingOnLock(_ db: TestDatabase) async throws -> Bool {
        try await db.scalar(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL
              AND query ILIKE '%INSERT INTO auto_sync_runs%'
            """) == 1
    }

    @Test func aWorkerKilledMidApplyLeavesNothingAndTheRunIsAppliedOnce() async throws {
        try await withTestDatabase { db in
            let (slack, zoom) = try await Self.seed(db)
            let environment = CommandLineTests.environment(db)
            try await db.admin.withTransaction(logger: db.logger) { blocker in
                // Until this transaction ends, recording a run waits: by then the apply has set
                // primaries, created syncs and queued their jobs in its own transaction.
                try await blocker.query("LOCK TABLE auto_sync_runs IN SHARE MODE", logger: db.logger)
                let first = try WorkerProcessTests.startWorker(db)
                defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
                let created = try await CommandLineTests.usersync(
                    [
                        "auto-sync", "create", "acme", "--name", "Sales", "--group-source", "scim", "--group-id", "sales",
                        "--primary", slack.uuidString, "--onto", zoom.uuidString,
                    ], environment: environment)
                #expect(created.status == 0, "\(created.errors)")
                let waiting = try await eventually(.seconds(60)) { try await Self.applyWaitingOnLock(db) }
                #expect(waiting, "the worker never reached the run's record")
                kill(first.processIdentifier, SIGKILL)
                first.waitUntilExit()
            }
            // The killed worker's transaction is rolled back once its backend sees the socket closed.
            let rolledBack = try await eventually(.seconds(60)) {
                try await db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL") == 0
            }
            #expect(rolledBack)
            #expect(try await db.scalar("SELECT count(*) FROM syncs") == 0, "nothing of the half-done apply stays")
            #expect(try await db.scalar("SELECT count(*) FROM jobs WHERE kind = 'sync.run'") == 0)
            #expect(try await db.scalar("SELECT count(*) FROM auto_sync_runs") == 0)

            let second = try WorkerProcessTests.startWorker(db)
            defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
            let applied = try await eventually(.seconds(90)) {
                try await db.scalar("SELECT count(*) FROM jobs WHERE kind = 'auto_sync.run' AND state = 'succeeded'") == 1
            }
            #expect(applied, "the run was not applied after the worker was killed")
            #expect(try await db.scalar("SELECT attempts FROM jobs WHERE kind = 'auto_sync.run'") == 2, "the killed apply counts as an attempt")
            #expect(try await db.scalar("SELECT count(*) FROM auto_sync_runs") == 1)
            let syncs = try await db.scalar("SELECT count(*) FROM syncs WHERE connection_id = '\(zoom)' AND auto_sync_policy_id IS NOT NULL")
            #expect(syncs == Int64(Self.members))
            let queued = try await db.scalar(
                "SELECT count(*) FROM jobs, jsonb_array_elements_text(payload -> 'sync_ids') WHERE kind = 'sync.run'")
            #expect(queued == Int64(Self.members), "each sync is queued once")
            #expect(try await db.scalar("SELECT count(*) FROM audit_log WHERE action = 'auto_sync.run_applied'") == 1)
            second.terminate()
            second.waitUntilExit()
            #expect(second.terminationStatus == 0)

            // The same membership again changes nothing.
            let list = try await CommandLineTests.usersync(["auto-sync", "list", "acme", "--json"], environment: environment)
            let policy = try #require(try list.decode([Policy].self).first?.id)
            let again = try await CommandLineTests.usersync(["auto-sync", "run", "acme", policy], environment: environment)
            #expect(again.status == 0 && again.output.contains("Nothing to change"), "\(again.output)\(again.errors)")
            #expect(try await db.scalar("SELECT count(*) FROM auto_sync_runs") == 1)
        }
    }
}
