import Foundation
import PostgresNIO
import Testing
import UserSyncTestSupport

/// `usersync auto-sync …`, run as an operator would.
@Suite struct AutoSyncCommandTests {
    struct Policy: Decodable {
        /// The removal hold; `overCountIsNull` tells an `over_count` sent as null (no limit) from one left out.
        struct Hold: Decodable {
            enum CodingKeys: String, CodingKey { case overCount }
            let overCountIsNull: Bool

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                overCountIsNull = try container.contains(.overCount) && container.decodeNil(forKey: .overCount)
            }
        }

        let id: String
        let priority: Int
        let removesOnLeave: Bool
        let removalHold: Hold
    }

    struct Plan: Decodable { let policyId: String, held: Bool }

    struct Run: Decodable { let id: String, state: String, trigger: String }

    func usersync(_ arguments: [String], _ db: TestDatabase) async throws -> CommandLineTests.Run {
        try await CommandLineTests.usersync(arguments, environment: CommandLineTests.environment(db))
    }

    @Test func operatorsManagePoliciesWithoutHTTP() async throws {
        try await withTestDatabase { db in
            #expect(try await usersync(["orgs", "create", "--slug", "acme", "--name", "Acme"], db).status == 0)
            let slack = UUID(), teams = UUID()
            for (id, platform) in [(slack, "slack"), (teams, "teams")] {
                try await db.adminQuery(
                    """
                    INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
                    SELECT id, \(id), \(platform), \(platform), 'W', '\\x00'::bytea, 'k1', 'http://localhost' FROM organizations WHERE slug = 'acme'
                    """)
            }
            let created = try await usersync(
                [
                    "auto-sync", "create", "acme", "--name", "Engineering", "--group-source", "entra", "--group-id", "0b5e",
                    "--group-connection", teams.uuidString, "--primary", slack.uuidString, "--onto", teams.uuidString, "--priority", "7",
                    "--no-remove-on-leave", "--hold-over-count", "none", "--json",
                ], db)
            #expect(created.status == 0, "\(created.errors)")
            let policy = try created.decode(Policy.self)
            let id = policy.id
            #expect(policy.priority == 7 && policy.removesOnLeave == false)
            #expect(policy.removalHold.overCountIsNull)

            let updated = try await usersync(["auto-sync", "update", "acme", id, "--disable", "--hold-over-percent", "30"], db)
            #expect(updated.status == 0, "\(updated.errors)")
            let listed = try await usersync(["auto-sync", "list", "acme"], db)
            #expect(listed.status == 0 && listed.output.contains(id) && listed.output.contains("entra:0b5e"), "\(listed.output)")
            #expect(listed.output.split(separator: "\n").last?.contains(" no ") == true, "disabled: \(listed.output)")

            let preview = try await usersync(["auto-sync", "preview", "acme", id], db)
            #expect(preview.status == 0 && preview.output.contains("0 syncs to start"), "\(preview.output)\(preview.errors)")
            let planned = try await usersync(["auto-sync", "preview", "acme", id, "--json"], db)
            let plan = try planned.decode(Plan.self)
            #expect(plan.policyId == id && plan.held == false, "\(planned.output)")

            let deleted = try await usersync(["auto-sync", "delete", "acme", id], db)
            #expect(deleted.status == 0 && deleted.output.contains("its 0 syncs stay"), "\(deleted.output)\(deleted.errors)")
            #expect(try await usersync(["auto-sync", "list", "acme"], db).output.contains(id) == false)
        }
    }

    @Test func operatorsRunPoliciesAndDecideHeldRuns() async throws {
        try await withTestDatabase { db in
            #expect(try await usersync(["orgs", "create", "--slug", "acme", "--name", "Acme"], db).status == 0)
            let slack = UUID(), zoom = UUID(), person = UUID(), sync = UUID()
            for (id, platform) in [(slack, "slack"), (zoom, "zoom")] {
                try await db.adminQuery(
                    """
                    INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
                    SELECT id, \(id), \(platform), \(platform), 'W', '\\x00'::bytea, 'k1', 'http://localhost' FROM organizations WHERE slug = 'acme'
                    """)
            }
            let created = try await usersync(
                [
                    "auto-sync", "create", "acme", "--name", "Sales", "--group-source", "scim", "--group-id", "sales",
                    "--primary", slack.uuidString, "--onto", zoom.uuidString, "--json",
                ], db)
            let policy = try created.decode(Policy.self).id
            let nothing = try await usersync(["auto-sync", "run", "acme", policy], db)
            #expect(nothing.status == 0 && nothing.output.contains("Nothing to change"), "\(nothing.output)\(nothing.errors)")

            // Someone the policy synced who is not in its (empty) group: removing the one person it syncs is held.
            try await db.adminQuery(
                "INSERT INTO directory_groups (org_id, source, group_id) SELECT id, 'scim', 'sales' FROM organizations WHERE slug = 'acme'")
            try await db.adminQuery(
                """
                INSERT INTO people (org_id, id, email_normalized) SELECT id, \(person), 'gone@acme.test' FROM organizations WHERE slug = 'acme';
                """)
            try await db.adminQuery(
                """
                INSERT INTO syncs (org_id, id, person_id, connection_id, mode, status, created_by, auto_sync_policy_id)
                SELECT id, \(sync), \(person), \(zoom), 'virtual', 'synced', 'auto_sync', \(UUID(uuidString: policy)!) FROM organizations WHERE slug = 'acme'
                """)
            let held = try await usersync(["auto-sync", "run", "acme", policy, "--json"], db)
            let run = try held.decode(Run.self)
            let runID = run.id
            #expect(run.state == "held" && run.trigger == "manual", "\(held.output)\(held.errors)")
            let listed = try await usersync(["auto-sync", "runs", "acme", "--state", "held"], db)
            #expect(listed.status == 0 && listed.output.contains(runID), "\(listed.output)")
            let shown = try await usersync(["auto-sync", "show-run", "acme", runID], db)
            #expect(shown.output.contains("remove  gone@acme.test from Zoom") && shown.output.contains("Held:"), "\(shown.output)")

            let approved = try await usersync(["auto-sync", "approve", "acme", runID], db)
            #expect(approved.status == 0 && approved.output.contains("approved"), "\(approved.output)\(approved.errors)")
            #expect(try await db.scalar("SELECT count(*) FROM jobs WHERE kind = 'auto_sync.remove'") == 1, "the removal is queued for the worker")
            let again = try await usersync(["auto-sync", "reject", "acme", runID], db)
            #expect(again.status != 0 && again.errors.contains("Only a held run"), "\(again.errors)")
            #expect(try await usersync(["auto-sync", "runs", "acme", "--state", "lost"], db).errors.contains("--state"))
        }
    }

    @Test(arguments: [
        (
            [
                "auto-sync", "create", "acme", "--name", "x", "--group-source", "ldap", "--group-id", "g", "--primary", UUID().uuidString, "--onto",
                UUID().uuidString,
            ], "--group-source"
        ),
        (
            [
                "auto-sync", "create", "acme", "--name", "x", "--group-source", "scim", "--group-id", "g", "--primary", UUID().uuidString, "--onto",
                "slack",
            ], "--onto"
        ),
        (
            [
                "auto-sync", "create", "acme", "--name", "x", "--group-source", "scim", "--group-id", "g", "--primary", UUID().uuidString, "--onto",
                UUID().uuidString,
            ], "primary_connection_id: No connection"
        ),
        (["auto-sync", "update", "acme", "not-a-uuid", "--disable"], "UUID"),
        (["auto-sync", "delete", "acme", UUID().uuidString], "no such auto sync policy"),
        (["auto-sync", "update", "acme", UUID().uuidString, "--hold-over-count", "lots"], "hold-over-count"),
        (["auto-sync", "preview", "acme", UUID().uuidString, "--limit", "5000"], "--limit"),
        (["auto-sync", "preview", "acme", UUID().uuidString], "no such auto sync policy"),
    ])
    func badInputIsAMessageAndANonZeroExit(_ arguments: [String], _ message: String) async throws {
        try await withTestDatabase { db in
            #expect(try await usersync(["orgs", "create", "--slug", "acme", "--name", "Acme"], db).status == 0)
            let run = try await usersync(arguments, db)
            #expect(run.status != 0)
            #expect(run.errors.contains(message), "\(run.errors)")
            #expect(!run.errors.contains("Fatal error"))
        }
    }
}
