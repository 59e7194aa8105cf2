import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension SyncRepository {
    /// Why a person was or was not given a sync by ``create(_:people:connection:platform:actor:on:logger:)``.
    public enum Verdict: String, Sendable, CaseIterable {
        case created
        case exists
        case noPrimary = "no_primary"
        case secondaryIsPrimary = "secondary_is_primary"
        case unknownPerson = "unknown_person"
    }

    /// What the sync rule (``SyncPreview``) needs to know of each of `people` for a sync onto
    /// `connection`: one statement for any number of people. Unknown ids are left out.
    public func facts(
        _ organization: OrganizationID, people: [PersonID], connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> [PersonID: SyncPreview.Facts] {
        let org = organization.rawValue
        let rows = try await db.query(
            """
            SELECT p.id, pc.platform, s.status,
                   (SELECT CASE WHEN bool_or(a.active) THEN 'active' WHEN count(*) > 0 THEN 'deactivated' ELSE 'none' END
                    FROM platform_accounts a
                    WHERE a.org_id = \(org) AND a.person_id = p.id AND a.connection_id = \(connection.rawValue))
            FROM people p
            LEFT JOIN platform_connections pc ON pc.org_id = \(org) AND pc.id = p.primary_connection_id
            LEFT JOIN syncs s ON s.org_id = \(org) AND s.person_id = p.id AND s.connection_id = \(connection.rawValue)
            WHERE p.org_id = \(org) AND p.id = ANY(\(people.map(\.rawValue))::uuid[])
            """, logger: logger)
        var facts: [PersonID: SyncPreview.Facts] = [:]
        for try await (id, primary, status, account) in rows.decode((UUID, String?, String?, String).self) {
            facts[PersonID(id)] = SyncPreview.Facts(
                personExists: true, primary: primary.flatMap(Platform.init(rawValue:)), existing: status.flatMap(SyncStatus.init(rawValue:)),
                account: account == "active" ? .active : account == "deactivated" ? .deactivated : .none)
        }
        return facts
    }

    /// Creates pending syncs of `people` onto `connection`, with their first history rows. Who
    /// gets one is ``SyncPreview``'s rule; each person gets a verdict: created, or why not. The
    /// mode is the one the person's accounts imply now; the worker decides again when it runs.
    /// A sync an Auto Sync policy starts is kept by that policy (``AuditActor/autoSyncPolicy``).
    public func create(
        _ organization: OrganizationID, people: [PersonID], connection: ConnectionID, platform: Platform, actor: AuditActor,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [(person: PersonID, verdict: Verdict, sync: SyncID?)] {
        let org = organization.rawValue
        let requested = SyncOutcome.requested()
        var seen = Set<PersonID>()
        let unique = people.filter { seen.insert($0).inserted }
        let facts = try await facts(organization, people: unique, connection: connection, on: db, logger: logger)
        var verdicts: [PersonID: Verdict] = [:]
        var wanted: [(PersonID, SyncMode)] = []
        for person in unique {
            let known = facts[person] ?? .unknown
            let expectation = SyncPreview.expect(known, secondary: platform)
            switch expectation {
            case .unknownPerson: verdicts[person] = .unknownPerson
            case .exists: verdicts[person] = .exists
            case .noPrimary: verdicts[person] = .noPrimary
            case .secondaryIsPrimary: verdicts[person] = .secondaryIsPrimary
            case .link, .virtual, .impossible: wanted.append((person, known.account == .active ? .link : .virtual))
            }
        }
        var syncIDs: [PersonID: SyncID] = [:]
        if !wanted.isEmpty {
            let rows = try await db.query(
                """
                WITH created AS (
                    INSERT INTO syncs (org_id, id, person_id, connection_id, mode, status, cause, message, created_by, auto_sync_policy_id)
                    SELECT \(org), gen_random_uuid(), w.person_id, \(connection.rawValue), w.mode, 'pending',
                           \(requested.cause.rawValue), \(requested.message), \(actor.label), \(actor.autoSyncPolicy?.rawValue)
                    FROM unnest(\(wanted.map(\.0.rawValue))::uuid[], \(wanted.map(\.1.rawValue))::text[]) AS w(person_id, mode)
                    ON CONFLICT (org_id, person_id, connection_id) DO NOTHING
                    RETURNING id, person_id
                ), events AS (
                    INSERT INTO sync_events (org_id, sync_id, from_status, to_status, cause, message, actor_kind, actor_id)
                    SELECT \(org), id, NULL, 'pending', \(requested.cause.rawValue), \(requested.message), \(Self.actorKind(actor)), \(actor.id)
                    FROM created
                )
                SELECT person_id, id FROM created
                """, logger: logger)
            for try await (person, sync) in rows.decode((UUID, UUID).self) {
                syncIDs[PersonID(person)] = SyncID(sync)
                verdicts[PersonID(person)] = .created
            }
        }
        // A sync made meanwhile by someone else exists, as do the ones the facts found.
        let existing = unique.filter { verdicts[$0] == nil || verdicts[$0] == .exists }
        if !existing.isEmpty {
            let rows = try await db.query(
                """
                SELECT person_id, id FROM syncs
                WHERE org_id = \(org) AND connection_id = \(connection.rawValue) AND person_id = ANY(\(existing.map(\.rawValue))::uuid[])
                """, logger: logger)
            for try await (person, sync) in rows.decode((UUID, UUID).self) {
                syncIDs[PersonID(person)] = SyncID(sync)
                verdicts[PersonID(person)] = .exists
            }
        }
        return unique.map { ($0, verdicts[$0] ?? .unknownPerson, syncIDs[$0]) }
    }
}
