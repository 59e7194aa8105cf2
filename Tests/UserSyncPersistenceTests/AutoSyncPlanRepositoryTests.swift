import Foundation
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncPersistence
import UserSyncTestSupport

/// A plan reads another policy's group only for the people it plans.
@Suite struct AutoSyncPlanRepositoryTests {
    @Test func aGroupReadAmongEmailsHoldsOnlyThoseMembersAndStillTellsUnknownFromEmpty() async throws {
        try await withTestDatabase { db in
            let org = OrganizationID.random(), teams = ConnectionID.random()
            try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(org.rawValue), 'plans', 'Plans')")
            try await db.adminQuery(
                """
                INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
                VALUES (\(org.rawValue), \(teams.rawValue), 'teams', 'Teams', 'T', '\\x00'::bytea, 'k1', 'http://localhost')
                """)
            // An Entra group of three, described by the Teams accounts; a SCIM group of two, by its users.
            try await db.adminQuery(
                """
                INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email)
                SELECT \(org.rawValue), gen_random_uuid(), \(teams.rawValue), 'e' || n, 'e' || n || '@acme.test' FROM generate_series(1, 3) n
                """)
            try await db.adminQuery(
                """
                INSERT INTO directory_groups (org_id, source, group_id, connection_id) VALUES (\(org.rawValue), 'entra', 'eng', \(teams.rawValue))
                """)
            try await db.adminQuery(
                """
                INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                SELECT \(org.rawValue), 'entra', 'eng', 'e' || n FROM generate_series(1, 3) n
                """)
            try await db.adminQuery(
                """
                INSERT INTO directory_users (org_id, source, external_id, email_normalized)
                SELECT \(org.rawValue), 'scim', 's' || n, 's' || n || '@acme.test' FROM generate_series(1, 2) n
                """)
            try await db.adminQuery(
                """
                INSERT INTO directory_groups (org_id, source, group_id) VALUES (\(org.rawValue), 'scim', 'sales')
                """)
            try await db.adminQuery(
                """
                INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                SELECT \(org.rawValue), 'scim', 'sales', 's' || n FROM generate_series(1, 2) n
                """)
            let entra = DirectoryGroup(source: .entra, connectionID: teams, id: "eng", displayName: nil)
            let scim = DirectoryGroup(source: .scim, connectionID: nil, id: "sales", displayName: nil)
            let unknown = DirectoryGroup(source: .scim, connectionID: nil, id: "never-pushed", displayName: nil)
            let read = { (group: DirectoryGroup, emails: [String]?) in
                try await db.service.withTenant(org, logger: db.logger) { connection in
                    try await AutoSyncPlanRepository().members(org, of: group, amongEmails: emails, on: connection, logger: db.logger)?.map(\.email)
                }
            }
            #expect(try await read(entra, nil)?.count == 3)
            #expect(try await read(entra, ["e2@acme.test", "s1@acme.test", "nobody@acme.test"]) == ["e2@acme.test"])
            #expect(try await read(scim, ["e2@acme.test", "s1@acme.test"]) == ["s1@acme.test"])
            #expect(try await read(scim, ["nobody@acme.test"]) == [], "known and without those people: empty, not unknown")
            #expect(try await read(unknown, ["s1@acme.test"]) == nil)
        }
    }
}
