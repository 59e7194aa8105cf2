import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The worker's half of following Entra groups: one `auto_sync.poll` job per Teams connection
/// runs a Graph delta round for each group its policies name, stores the membership changes and
/// the next delta link, and asks for runs of the policies whose group changed. A link Graph no
/// longer honours (410 Gone, expired) restarts that group from its whole membership, which the
/// audit log reports. Replayed rounds change nothing. With Graph change notifications on, each
/// poll then keeps the connection's subscriptions (``AutoSyncNotifications``), whose
/// notifications queue polls between the scheduled ones.
public struct AutoSyncPoller: Sendable {
    let database: Database
    let access: ConnectorAccess
    let health: ConnectionHealthRecorder
    /// The deployment's public URL when Graph change notifications are on.
    let notificationsPublicURL: String?
    let notifications: AutoSyncNotifications
    let policies = AutoSyncPolicyRepository()
    let membership = DirectoryMembershipRepository()
    let schedule = AutoSyncScheduleRepository()
    let connections = ConnectionRepository()
    let audit = AuditLogRepository()

    public init(database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, notificationsPublicURL: String? = nil) {
        self.database = database
        self.access = access
        self.health = health
        self.notificationsPublicURL = notificationsPublicURL
        notifications = AutoSyncNotifications(database: database)
    }

    /// What one poll did.
    public struct Outcome: Sendable, Equatable {
        public var groups = 0
        public var changes = 0
        public var resynced: [String] = []
    }

    /// Polls, and polls again while a poll was asked for during the last one: such a request
    /// (a policy made or deleted, a notification, a hand-asked run) could not queue a job of its
    /// own, since this one held the job's dedupe key. Each poll records the request it saw before
    /// it began; one that arrives after the last look is queued by the scheduler's sweep.
    func run(_ payload: AutoSyncPollPayload, context: JobContext) async throws -> JobOutcome {
        let organization = context.organizationID, connection = payload.connectionID, logger = context.logger
        let done = { (seen: Date?) in
            try await database.withTenant(organization, logger: logger) { db in
                try await schedule.pollDone(organization, connection: connection, through: seen, on: db, logger: logger)
            }
        }
        var seen = try await done(nil)
        for _ in 0..<3 {
            _ = try await poll(connection, organization: organization, logger: logger)
            let latest = try await done(seen)
            if latest == seen { break }
            seen = latest
        }
        return .succeeded
    }

    /// Asks for a poll of `connection` now (following it if it was not), in the caller's transaction.
    static func request(_ connection: ConnectionID, organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> Int64? {
        try await AutoSyncScheduleRepository().requestPoll(organization, connection: connection, on: db, logger: logger)
        return try await JobQueue.enqueue(AutoSyncJobs.pollJob(connection), organization: organization, on: db, logger: logger)
    }

    /// Polls every group followed through `connection`. A platform failure that time may fix is
    /// thrown (the job retries); one an admin must fix is recorded on the connection's health.
    public func poll(_ id: ConnectionID, organization: OrganizationID, logger: Logger) async throws -> Outcome {
        let (connection, followed) = try await database.withTenant(organization, logger: logger) { db in
            let connection = try await connections.get(organization, id, on: db, logger: logger)
            let followed = try await policies.list(organization, on: db, logger: logger).filter {
                $0.settings.group.source == .entra && $0.settings.group.connectionID == id
            }
            if followed.isEmpty { try await schedule.unfollow(organization, connection: id, on: db, logger: logger) }
            return (connection, followed)
        }
        var outcome = Outcome()
        guard !connection.isDisconnected,
            let connector = try await access.connector(for: connection, database: database, logger: logger) as? any DirectoryGroupFollowing
        else { return outcome }
        let groups = Dictionary(grouping: followed, by: \.settings.group.id)
        guard !followed.isEmpty else {
            try await keepSubscriptions(of: [], through: connector, connection: id, organization: organization, logger: logger)
            return outcome
        }
        do {
            for (groupID, policies) in groups.sorted(by: { $0.key < $1.key }) {
                let group = policies[0].settings.group
                let link = try await database.withTenant(organization, logger: logger) { db in
                    try await membership.deltaLink(organization, group: group, on: db, logger: logger)
                }
                let delta = try await connector.groupDelta(groupID: groupID, from: link)
                let changed = try await database.withTenant(organization, logger: logger) { db in
                    let changed = try await membership.apply(
                        organization, group: group, displayName: delta.displayName, full: delta.isFull, members: Array(delta.added),
                        left: Array(delta.removed), nextLink: delta.nextLink, on: db, logger: logger)
                    if delta.resynced {
                        try await audit.append(
                            .init(
                                action: "auto_sync.group_resynced", targetType: "directory_group", targetID: groupID,
                                details: [
                                    "connection_id": id.description, "members": "\(delta.added.count)", "changes": "\(changed)",
                                    "reason": "Microsoft Graph no longer honoured the stored delta link; the whole membership was read again.",
                                ]),
                            organization: organization, actor: .system, requestID: nil, on: db, logger: logger)
                    }
                    if changed > 0 {
                        try await AutoSyncRuns.request(
                            policies.filter(\.settings.enabled).map(\.id), trigger: .membershipChanged, organization: organization, on: db,
                            logger: logger)
                    }
                    return changed
                }
                outcome.groups += 1
                outcome.changes += changed
                if delta.resynced { outcome.resynced.append(groupID) }
            }
        } catch let failure as PlatformFailure {
            try await database.withTenant(organization, logger: logger) { db in
                try await schedule.polled(organization, connection: id, error: failure.message, on: db, logger: logger)
            }
            await health.record(failure, connection: id, organization: organization, logger: logger)
            if failure.isRetryable { throw failure }
            return outcome
        }
        try await database.withTenant(organization, logger: logger) { db in
            try await schedule.polled(organization, connection: id, error: nil, on: db, logger: logger)
            // Runs asked for by hand wait for this poll: queue them now that the membership is stored.
            let waiting = try await schedule.waitingRuns(organization, among: followed.filter(\.settings.enabled).map(\.id), on: db, logger: logger)
            _ = try await JobQueue.enqueue(
                waiting.map { AutoSyncJobs.runJob($0, trigger: .manual) }, organization: organization, on: db, logger: logger)
        }
        try await keepSubscriptions(of: Set(groups.keys), through: connector, connection: id, organization: organization, logger: logger)
        logger.info(
            "polled directory groups",
            metadata: [
                "connection": "\(id)", "groups": "\(outcome.groups)", "changes": "\(outcome.changes)", "resynced": "\(outcome.resynced.count)",
            ])
        return outcome
    }

    /// With notifications on, leaves exactly `groups` subscribed to (after their delta rounds, so
    /// that nothing between the round and the subscription is missed).
    private func keepSubscriptions(
        of groups: Set<String>, through connector: any DirectoryGroupFollowing, connection: ConnectionID, organization: OrganizationID,
        logger: Logger
    ) async throws {
        guard let publicURL = notificationsPublicURL, let subscribing = connector as? any DirectoryGroupSubscribing else { return }
        try await notifications.keep(
            groups, through: subscribing, connection: connection, organization: organization,
            notificationURL: AutoSyncNotifications.url(publicURL: publicURL, organization: organization), logger: logger)
    }
}
