import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension SyncRepository {
    /// The syncs of `people` (in connection order), with their history when asked. Read on the
    /// statement's generic plan: an organization whose syncs came after the last `ANALYZE` (one
    /// that never asked for 1,000 at once, beside big organizations) is estimated at a row or
    /// two, and its custom plan reads every sync of the organization to keep the people's.
    public func forPeople(
        _ organization: OrganizationID, _ people: [PersonID], history: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> [PersonID: [Sync]] {
        guard !people.isEmpty else { return [:] }
        return try await db.withGenericPlans(logger: logger) {
            try await forPeopleOnGenericPlans(organization, people, history: history, on: db, logger: logger)
        }
    }

    /// ``forPeople(_:_:history:on:logger:)`` for a caller that already runs on generic plans.
    func forPeopleOnGenericPlans(
        _ organization: OrganizationID, _ people: [PersonID], history: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> [PersonID: [Sync]] {
        guard !people.isEmpty else { return [:] }
        var syncs = try await Self.decode(
            try await db.execute(ForPeopleStatement(organization: organization.rawValue, ids: people.map(\.rawValue)), logger: logger))
        if history {
            let events = try await self.history(organization, syncs.map(\.id), on: db, logger: logger)
            for index in syncs.indices { syncs[index].history = events[syncs[index].id] ?? [] }
        }
        return Dictionary(grouping: syncs, by: \.personID)
    }

    struct ForPeopleStatement: HotStatement {
        static let sql = """
            SELECT \(SyncRepository.columns) FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
            WHERE s.org_id = $1 AND s.person_id = ANY($2::uuid[])
            ORDER BY s.person_id, c.created_at, s.id
            """
        let organization: UUID
        let ids: [UUID]

        func makeBindings() -> PostgresBindings { bindings(organization, ids) }
    }

    public func history(_ organization: OrganizationID, _ syncs: [SyncID], on db: PostgresConnection, logger: Logger) async throws -> [SyncID:
        [SyncEvent]]
    {
        guard !syncs.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            SELECT sync_id, from_status, to_status, cause, message, actor_kind, actor_id, next_retry_at, fix_action, created_at
            FROM sync_events WHERE org_id = \(organization.rawValue) AND sync_id = ANY(\(syncs.map(\.rawValue))::uuid[])
            ORDER BY sync_id, id
            """, logger: logger)
        var result: [SyncID: [SyncEvent]] = [:]
        typealias Row = (UUID, String?, String, String?, String, String, String?, Date?, String?, Date)
        for try await r in rows.decode(Row.self) {
            result[SyncID(r.0), default: []].append(
                SyncEvent(
                    fromStatus: r.1.flatMap(SyncStatus.init(rawValue:)), toStatus: SyncStatus(rawValue: r.2) ?? .failed,
                    cause: r.3.flatMap(SyncCause.init(rawValue:)),
                    message: r.4, actorKind: r.5, actorID: r.6, nextRetryAt: r.7, fixAction: r.8, createdAt: r.9))
        }
        return result
    }
}
