import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

extension TestDatabase {
    /// Statements of this database that wait on a lock and contain `fragment` (e.g. a function's
    /// name), as seen from the admin pool.
    public func statementsWaitingOnALock(containing fragment: String) async throws -> Int {
        let rows = try await admin.client.query(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND strpos(query, \(fragment)) > 0
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Runs SQL as the superuser, across organizations (fixtures only).
    public func adminQuery(_ query: PostgresQuery) async throws {
        try await admin.client.query(query, logger: logger)
    }

    /// One text value from a query run as the superuser ("" for none or NULL).
    public func adminQueryText(_ sql: String) async throws -> String {
        let rows = try await admin.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await value in rows.decode(String?.self) { return value ?? "" }
        return ""
    }

    /// One row in every tenant table for `organization`, written past row-level security, so the
    /// isolation tests can look for it from other organizations. A tenant table this does not
    /// fill makes `everyTenantTableIsSeeded` fail: add the new table here.
    public func seedEveryTenantTable(_ organization: OrganizationID, slug: String) async throws {
        let org = organization.rawValue
        let connection = UUID(), team = UUID(), person = UUID(), account = UUID(), sync = UUID()
        let run = UUID(), policy = UUID(), key = UUID(), autoRun = UUID(), member = UUID()
        try await admin.client.withConnection { c in
            let l = logger
            try await c.query("INSERT INTO organizations (id, slug, name) VALUES (\(org), \(slug), \(slug))", logger: l)
            try await c.query(
                """
                INSERT INTO api_keys (org_id, id, name, role, key_hash, hint, created_by)
                VALUES (\(org), \(key), 'seed', 'admin', sha256(\(key.uuidString)::bytea), 'seed', 'test')
                """, logger: l)
            try await c.query(
                """
                INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials,
                    credentials_key_id, api_base_url)
                VALUES (\(org), \(connection), 'slack', 'Slack', \("T-\(slug)"), '\\x00'::bytea, 'k1', 'http://localhost')
                """, logger: l)
            try await c.query(
                "INSERT INTO teams (org_id, id, connection_id, platform_team_id, name) VALUES (\(org), \(team), \(connection), 'G1', 'Team')",
                logger: l)
            try await c.query(
                "INSERT INTO people (org_id, id, email_normalized) VALUES (\(org), \(person), \("a@\(slug).example"))", logger: l)
            try await c.query(
                """
                INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email, person_id)
                VALUES (\(org), \(account), \(connection), 'U1', \("a@\(slug).example"), \(person))
                """, logger: l)
            try await c.query(
                "INSERT INTO team_memberships (org_id, team_id, account_id) VALUES (\(org), \(team), \(account))", logger: l)
            try await c.query(
                "INSERT INTO syncs (org_id, id, person_id, connection_id, created_by) VALUES (\(org), \(sync), \(person), \(connection), 'test')",
                logger: l)
            try await c.query(
                "INSERT INTO sync_events (org_id, sync_id, to_status, message, actor_kind) VALUES (\(org), \(sync), 'not_created', 'seed', 'system')",
                logger: l)
            try await c.query(
                """
                INSERT INTO consent_tokens (org_id, token_hash, sync_id, expires_at)
                VALUES (\(org), sha256(\(sync.uuidString)::bytea), \(sync), now() + interval '1 day')
                """, logger: l)
            try await c.query(
                "INSERT INTO import_runs (org_id, id, connection_id, requested_by) VALUES (\(org), \(run), \(connection), 'test')", logger: l)
            try await c.query(
                """
                INSERT INTO import_team_members (org_id, run_id, team_id, platform_user_id)
                VALUES (\(org), \(run), \(team), 'U1')
                """, logger: l)
            try await c.query(
                "INSERT INTO import_seen_accounts (org_id, run_id, platform_user_id) VALUES (\(org), \(run), 'U1')", logger: l)
            try await c.query("INSERT INTO jobs (org_id, kind) VALUES (\(org), 'seed')", logger: l)
            try await c.query(
                """
                INSERT INTO auto_sync_policies (org_id, id, name, group_source, directory_group_id, primary_connection_id)
                VALUES (\(org), \(policy), 'All staff', 'scim', 'group-1', \(connection))
                """, logger: l)
            try await c.query(
                """
                INSERT INTO directory_users (org_id, source, external_id, email_normalized) VALUES (\(org), 'scim', 'u-1', \("a@\(slug).example"))
                """, logger: l)
            try await c.query(
                "INSERT INTO directory_groups (org_id, source, group_id) VALUES (\(org), 'scim', 'group-1')", logger: l)
            try await c.query(
                """
                INSERT INTO directory_group_members (org_id, source, group_id, external_user_id) VALUES (\(org), 'scim', 'group-1', 'u-1')
                """, logger: l)
            try await c.query(
                """
                INSERT INTO auto_sync_runs (org_id, id, policy_id, trigger, state, primaries, starts, handovers, removals, skips,
                    not_on_any_platform, synced_before, created_at)
                VALUES (\(org), \(autoRun), \(policy), 'manual', 'applied', 0, 1, 0, 0, 0, 0, 0, now())
                """, logger: l)
            try await c.query(
                """
                INSERT INTO auto_sync_run_items (org_id, run_id, kind, position, person_id, connection_id)
                VALUES (\(org), \(autoRun), 'start', 0, \(person), \(connection))
                """, logger: l)
            try await c.query(
                "INSERT INTO auto_sync_polls (org_id, connection_id, next_poll_at) VALUES (\(org), \(connection), now())", logger: l)
            try await c.query(
                """
                INSERT INTO auto_sync_subscriptions (org_id, connection_id, group_id, subscription_id, client_state_hash, expires_at)
                VALUES (\(org), \(connection), 'seed', \("seed-\(slug)"), \(Data(repeating: 1, count: 32)), now() + interval '1 day')
                """, logger: l)
            try await c.query(
                """
                INSERT INTO scim_tokens (org_id, id, name, token_hash, hint, created_by)
                VALUES (\(org), \(UUID()), 'seed', \(Data(repeating: UInt8(slug.count), count: 32)), 'hint', 'test')
                """, logger: l)
            let message = UUID()
            try await c.query(
                """
                INSERT INTO relay_messages (org_id, id, source_connection_id, event_key, kind, source_conversation, source_message_id,
                    sender_account, to_bot, state, sent_at, received_at, updated_at, recipient_person_id)
                VALUES (\(org), \(message), \(connection), 'seed', 'message', 'D1', 'm1', 'U1', false, 'delivered', now(), now(), now(), \(person))
                """, logger: l)
            try await c.query(
                "INSERT INTO relay_message_steps (org_id, message_id, position, step, at) VALUES (\(org), \(message), 0, 'received', now())",
                logger: l)
            try await c.query(
                "INSERT INTO relay_conversation_leases (org_id, source_connection_id, source_conversation) VALUES (\(org), \(connection), 'D1')",
                logger: l)
            try await c.query(
                "INSERT INTO relay_connection_batches (org_id, source_connection_id, queued_job) VALUES (\(org), \(connection), 0)", logger: l)
            try await c.query(
                "INSERT INTO relay_notices (org_id, person_id, reason, notified_at) VALUES (\(org), \(person), 'seed', now())", logger: l)
            try await c.query("INSERT INTO relay_policies (org_id, files_allowed) VALUES (\(org), false)", logger: l)
            try await c.query(
                """
                INSERT INTO relay_subscriptions (org_id, sync_id, connection_id, subscription_id, client_state_hash, expires_at)
                VALUES (\(org), \(sync), \(connection), \("relay-\(slug)"), \(Data(repeating: 2, count: 32)), now() + interval '1 hour')
                """, logger: l)
            try await c.query(
                "INSERT INTO relay_restrictions (org_id, person_id, created_by) VALUES (\(org), \(person), 'test')", logger: l)
            try await c.query("INSERT INTO audit_log (org_id, actor_kind, action) VALUES (\(org), 'system', 'seed')", logger: l)
            try await c.query(
                """
                INSERT INTO console_members (org_id, id, role, provider, tenant, subject, source, created_by)
                VALUES (\(org), \(member), 'admin', 'slack', \("T-\(slug)"), 'U1', 'invitation', 'test')
                """, logger: l)
            try await c.query(
                """
                INSERT INTO console_invitations (org_id, id, token_hash, role, created_by, expires_at)
                VALUES (\(org), \(UUID()), sha256(\(member.uuidString)::bytea), 'admin', 'test', now() + interval '1 day')
                """, logger: l)
            try await c.query(
                """
                INSERT INTO console_sessions (org_id, id_hash, member_id, data, created_at, last_seen_at, idle_expires_at, expires_at)
                VALUES (\(org), sha256(\(member.uuidString + "s")::bytea), \(member), '{}', now(), now(), now() + interval '1 hour',
                        now() + interval '1 hour')
                """, logger: l)
        }
    }

    /// Every table of the schema with an `org_id` column.
    public func tenantTables() async throws -> [String] {
        let rows = try await admin.client.query(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name
            """, logger: logger)
        var tables: [String] = []
        for try await table in rows.decode(String.self) { tables.append(table) }
        return tables
    }
}
