import Foundation
import PostgresNIO

extension TestDatabase {
    /// Fills the database with `count` other organizations of `people` people each, the way a
    /// shared deployment holds them: four connections, accounts on one to three platforms, syncs
    /// with their history, audit entries and finished jobs. Written directly (as the superuser, in
    /// a few set-based statements) so that benchmarks can measure one organization beside many
    /// large ones without importing them all first. Returns their ids.
    @discardableResult
    public func fillOtherOrganizations(count: Int, people: Int) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in 0..<count {
            let org = UUID()
            ids.append(org)
            let slug = "other-\(index)-\(org.uuidString.prefix(8).lowercased())"
            let connections = (0..<4).map { _ in UUID() }
            try await admin.client.withConnection { c in
                let l = logger
                try await c.query("INSERT INTO organizations (id, slug, name) VALUES (\(org), \(slug), \(slug))", logger: l)
                for (platform, connection) in zip(["slack", "teams", "zoom", "webex"], connections) {
                    try await c.query(
                        """
                        INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
                        VALUES (\(org), \(connection), \(platform), \(platform), \(slug + "-" + platform), '\\x00'::bytea, 'k1', 'http://localhost')
                        """, logger: l)
                }
                try await c.query(
                    """
                    INSERT INTO people (org_id, id, email_normalized, display_name, primary_connection_id, primary_source)
                    SELECT \(org), gen_random_uuid(), 'person.' || i || '@' || \(slug) || '.example', 'Person ' || i, \(connections[0]), 'default'
                    FROM generate_series(1, \(people)) i
                    """, logger: l)
                // Everyone on the first platform; most on a second, some on a third.
                for (platform, (connection, share)) in zip(0..<3, zip(connections, [100, 60, 25])) {
                    try await c.query(
                        """
                        INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email, emails, display_name, person_id)
                        SELECT p.org_id, gen_random_uuid(), \(connection), 'U' || \(platform) || '-' || p.id, p.email_normalized,
                               ARRAY[p.email_normalized], p.display_name, p.id
                        FROM people p WHERE p.org_id = \(org) AND abs(hashtext(p.id::text)) % 100 < \(share)
                        """, logger: l)
                }
                try await c.query(
                    """
                    INSERT INTO syncs (org_id, id, person_id, connection_id, mode, status, cause, message, created_by)
                    SELECT p.org_id, gen_random_uuid(), p.id, \(connections[1]), 'link',
                           CASE WHEN abs(hashtext(p.id::text)) % 3 = 0 THEN 'pending' ELSE 'synced' END, 'consent_granted', 'filled', 'bench'
                    FROM people p WHERE p.org_id = \(org) AND abs(hashtext(p.id::text)) % 100 < 60
                    """, logger: l)
                try await c.query(
                    """
                    INSERT INTO sync_events (org_id, sync_id, from_status, to_status, cause, message, actor_kind)
                    SELECT org_id, id, NULL, status, cause, message, 'system' FROM syncs WHERE org_id = \(org)
                    """, logger: l)
                try await c.query(
                    """
                    INSERT INTO audit_log (org_id, actor_kind, action, target_type, target_id)
                    SELECT \(org), 'system', 'sync.status_changed', 'sync', id::text FROM syncs WHERE org_id = \(org)
                    """, logger: l)
                try await c.query(
                    """
                    INSERT INTO jobs (org_id, kind, payload, state, finished_at)
                    SELECT \(org), 'sync.run', '{}', 'succeeded', now() FROM generate_series(1, \(max(1, people / 100)))
                    """, logger: l)
            }
        }
        // Settled as a database in service is: vacuumed and analyzed, so that autovacuum's work on
        // the million rows just written does not fall inside the measurement that follows.
        try await admin.client.query("VACUUM ANALYZE", logger: logger)
        return ids
    }
}
