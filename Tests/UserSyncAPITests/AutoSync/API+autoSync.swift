import Foundation
import PostgresNIO
import Testing
import UserSyncTesting

extension API {
    /// Waits until no Auto Sync job is queued or running, then until the syncs they started settle.
    func waitForAutoSync(timeout: Duration = .seconds(120)) async throws {
        try await eventually(timeout) {
            try await db.scalar("SELECT count(*) FROM jobs WHERE kind LIKE 'auto_sync.%' AND state IN ('queued', 'running')") == 0
        }
        try await waitForSyncsToSettle(timeout: timeout)
    }

    /// Writes a SCIM group with these users as its members, as SCIM pushes will.
    func seedGroup(org: String, group: String, users: [(id: String, email: String, active: Bool)]) async throws {
        let organization = UUID(uuidString: org)!
        try await db.adminQuery("INSERT INTO directory_groups (org_id, source, group_id) VALUES (\(organization), 'scim', \(group))")
        for user in users {
            try await db.adminQuery(
                """
                INSERT INTO directory_users (org_id, source, external_id, email_normalized, active)
                VALUES (\(organization), 'scim', \(user.id), \(user.email), \(user.active))
                """)
            try await db.adminQuery(
                """
                INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                VALUES (\(organization), 'scim', \(group), \(user.id))
                """)
        }
    }

    /// Takes users out of a seeded SCIM group.
    func removeFromGroup(org: String, group: String, users: [String]) async throws {
        try await db.adminQuery(
            """
            DELETE FROM directory_group_members
            WHERE org_id = \(UUID(uuidString: org)!) AND source = 'scim' AND group_id = \(group) AND external_user_id = ANY(\(users))
            """)
    }
}

/// Auto Sync runs as the API shows them.
struct AutoSyncRunBody: Decodable, Equatable {
    struct Counts: Decodable, Equatable {
        let primaries: Int, starts: Int, handovers: Int, removals: Int, skips: Int, notOnAnyPlatform: Int
    }

    let id: String
    let policyId: String
    let trigger: String
    let state: String
    let counts: Counts
    let holdReason: String?
    let decidedBy: String?
}

struct AutoSyncRunPage: Decodable {
    let items: [AutoSyncRunBody]
    let nextCursor: String?
}

struct AutoSyncRunDetailBody: Decodable {
    struct Change: Decodable {
        let personId: String
        let email: String
        let connectionId: String?
        let platform: String?
        let syncId: String?
        let expectation: String?
        let reason: String?
    }

    let run: AutoSyncRunBody
    let startsByExpectation: [String: Int]
    let skipsByReason: [String: Int]
    let primaries: [Change]
    let starts: [Change]
    let removals: [Change]
    let skips: [Change]
    let truncated: Bool
}
