import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The admin's side of User Sync: primary choices, starting syncs (one or in bulk), retrying
/// them, and the actions on people (reset, reprompt, remove), which return at once and finish in
/// the worker. Shared by the HTTP API and tests.
public struct UserSync: Sendable {
    let database: Database
    let settings: SyncSettings
    let people = PeopleRepository()
    let syncs = SyncRepository()
    let connections = ConnectionRepository()
    let recorder = SyncRecorder()
    let audit = AuditLogRepository()

    public init(database: Database, settings: SyncSettings) {
        self.database = database
        self.settings = settings
    }

    /// Whom a bulk action is for: listed people, or everyone a people-list filter matches.
    public enum Target: Sendable {
        case people([PersonID])
        case filter(PeopleRepository.Filter)
    }

    func ids(_ target: Target, organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> [PersonID] {
        switch target {
        case .people(let ids): ids
        case .filter(let filter): try await people.ids(organization, filter, on: db, logger: logger)
        }
    }

    /// Counts by verdict, for a bulk action's answer.
    public typealias Tally = [String: Int]

    // MARK: Primary

    /// Chooses a person's primary among the connections they have an active account on (a
    /// platform names its one connection). Anything else is refused, naming the choices.
    public func setPrimary(
        _ person: PersonID, connection: ConnectionID?, platform: Platform?, organization: OrganizationID, actor: AuditActor,
        requestID: String?, logger: Logger
    ) async throws -> Person {
        try await database.withTenant(organization, logger: logger) { db in
            let current = try await people.get(organization, person, on: db, logger: logger)
            let all = try await connections.list(organization, includeDisconnected: false, on: db, logger: logger)
            let live = Set(all.map(\.id))
            let choices = current.accounts.filter { $0.isActive && live.contains($0.connectionID) }
            let matching = choices.filter { account in connection.map { account.connectionID == $0 } ?? (account.platform == platform) }
            guard matching.count == 1 else {
                let listed = choices.map { "\($0.platform.rawValue) (connection \($0.connectionID))" }.joined(separator: ", ")
                let reason =
                    matching.isEmpty
                    ? "The person has no active account there. Choose among: \(listed.isEmpty ? "none (no active account)" : listed)."
                    : "The person is on several \(platform?.rawValue ?? "") connections: name one with connection_id. Choose among: \(listed)."
                throw DomainError.invalid(connection == nil ? "platform" : "connection_id", "not_an_active_platform", reason)
            }
            let chosen = matching[0]
            let verdict = try await people.setPrimary(
                organization, people: [person], connection: chosen.connectionID, platform: nil, by: actor.label, on: db, logger: logger)
            if verdict.first?.verdict == .syncExists {
                throw DomainError.conflict(
                    code: "sync_exists_on_platform",
                    message: "The person has a sync onto that connection; reset the person before making it their primary.")
            }
            try await audit.append(
                .init(
                    action: "person.primary_chosen", targetType: "person", targetID: person.description,
                    details: [
                        "connection_id": chosen.connectionID.description, "platform": chosen.platform.rawValue,
                    ]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return try await people.get(organization, person, on: db, logger: logger)
        }
    }

    /// Chooses the primary of many people at once (e.g. everyone on Slack and Teams → Slack).
    public func setPrimary(
        _ target: Target, connection: ConnectionID?, platform: Platform?, organization: OrganizationID, actor: AuditActor,
        requestID: String?, logger: Logger
    ) async throws -> Tally {
        try await database.withTenant(organization, logger: logger) { db in
            let ids = try await ids(target, organization: organization, on: db, logger: logger)
            let verdicts = try await people.setPrimary(
                organization, people: ids, connection: connection, platform: platform, by: actor.label, on: db, logger: logger)
            let tally = Dictionary(verdicts.map { ($0.verdict.rawValue, 1) }, uniquingKeysWith: +)
            try await audit.append(
                .init(
                    action: "people.primary_chosen", targetType: "people",
                    details: [
                        "platform": platform?.rawValue ?? "", "connection_id": connection?.description ?? "", "counts": Self.describe(tally),
                    ]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return tally
        }
    }

    // MARK: Syncs

    /// Starts a person's sync onto `connection`: a pending sync and its job, in one transaction.
    /// Returns the sync, and whether it was created (an existing one is returned as it is).
    public func startSync(
        _ person: PersonID, connection: ConnectionID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> (sync: Sync, created: Bool) {
        try await database.withTenant(organization, logger: logger) { db in
            let secondary = try await requireConnected(connection, organization: organization, on: db, logger: logger)
            let verdict = try await syncs.create(
                organization, people: [person], connection: connection, platform: secondary.platform, actor: actor, on: db, logger: logger)[0]
            switch verdict.verdict {
            case .created:
                try await enqueueRuns([verdict.sync!], organization: organization, on: db, logger: logger)
                try await audit.append(
                    .init(
                        action: "sync.requested", targetType: "sync", targetID: verdict.sync!.description,
                        details: [
                            "person_id": person.description, "connection_id": connection.description,
                        ]),
                    organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
                return (try await syncs.get(organization, verdict.sync!, on: db, logger: logger), true)
            case .exists:
                return (try await syncs.get(organization, verdict.sync!, on: db, logger: logger), false)
            case .unknownPerson:
                throw DomainError.notFound(resource: "person")
            case .noPrimary:
                throw DomainError.conflict(
                    code: "primary_required", message: "The person has no primary platform yet: choose one before syncing them.")
            case .secondaryIsPrimary:
                throw DomainError.invalid(
                    "connection_id", "secondary_is_primary",
                    "\(secondary.platform.displayName) is the person's primary platform; sync them onto another platform.")
            }
        }
    }

    /// Starts syncs of many people onto `connection`, with their jobs, in one transaction and one
    /// bulk enqueue.
    public func startSyncs(
        _ target: Target, connection: ConnectionID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> Tally {
        try await database.withTenant(organization, logger: logger) { db in
            let secondary = try await requireConnected(connection, organization: organization, on: db, logger: logger)
            let ids = try await ids(target, organization: organization, on: db, logger: logger)
            let verdicts = try await syncs.create(
                organization, people: ids, connection: connection, platform: secondary.platform, actor: actor, on: db, logger: logger)
            let created = verdicts.filter { $0.verdict == .created }.compactMap(\.sync)
            if created.count >= PlannerStatistics.threshold { try await PlannerStatistics.refreshSyncs(on: db, logger: logger) }
            try await enqueueRuns(created, organization: organization, on: db, logger: logger)
            let tally = Dictionary(verdicts.map { ($0.verdict.rawValue, 1) }, uniquingKeysWith: +)
            try await audit.append(
                .init(
                    action: "syncs.requested", targetType: "connection", targetID: connection.description, details: ["counts": Self.describe(tally)]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return tally
        }
    }

    /// Tries a failed sync again.
    public func retry(_ id: SyncID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger) async throws -> Sync {
        try await database.withTenant(organization, logger: logger) { db in
            let sync = try await syncs.get(organization, id, forUpdate: true, on: db, logger: logger)
            guard sync.status == .failed else {
                throw DomainError.conflict(
                    code: "sync_not_failed", message: "Only a failed sync can be retried; this one is \(sync.status.rawValue).")
            }
            _ = try await requireConnected(sync.connectionID, organization: organization, on: db, logger: logger)
            let updated = try await recorder.record(
                sync, SyncOutcome(status: .pending, cause: .retryRequested, message: "An admin asked to try again."), actor: actor,
                requestID: requestID, on: db, logger: logger)
            try await enqueueRuns([id], organization: organization, on: db, logger: logger)
            return updated
        }
    }

    public func sync(_ id: SyncID, organization: OrganizationID, logger: Logger) async throws -> Sync {
        try await database.withTenant(organization, logger: logger) { db in
            var sync = try await syncs.get(organization, id, on: db, logger: logger)
            sync.history = try await syncs.history(organization, [id], on: db, logger: logger)[id] ?? []
            return sync
        }
    }

    func requireConnected(
        _ connection: ConnectionID, organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws -> PlatformConnection {
        let secondary = try await connections.get(organization, connection, on: db, logger: logger)
        guard secondary.health == .connected else {
            throw DomainError.conflict(
                code: "connection_not_connected",
                message:
                    "\(secondary.displayName) is \(secondary.health.rawValue.replacingOccurrences(of: "_", with: " ")): fix it in the Connect Center first."
            )
        }
        return secondary
    }

    func enqueueRuns(_ ids: [SyncID], organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        _ = try await JobQueue.enqueue(SyncJobs.runJobs(ids), organization: organization, on: db, logger: logger)
    }

    static func describe(_ tally: Tally) -> String {
        tally.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
