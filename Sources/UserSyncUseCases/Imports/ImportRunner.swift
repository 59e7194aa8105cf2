import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// How imports run in the worker.
public struct ImportSettings: Sendable {
    /// Selected teams whose members are listed at once (Teams, Webex).
    public var teamConcurrency = 6
    /// How long a run waits when a platform rate-limits it without saying for how long.
    public var rateLimitWait: Duration = .seconds(30)
    /// The wall clock a rate limit's wait is reckoned from.
    public var now: @Sendable () -> Date = { Date() }

    public init() {}
}

/// The `directory.import` job: one import run of one connection, streamed page by page.
///
/// Idempotent and crash-safe: every attempt starts the listing over (platform cursors expire),
/// upserts are keyed by (connection, platform user id), and the run's counts come from change
/// markers on the accounts, so an attempt after a crash neither duplicates accounts nor
/// miscounts. A platform's long `Retry-After` snoozes the job without spending an attempt and the
/// run shows until when it waits; a failure only an admin can fix fails the run and marks the
/// connection `needs_attention`.
public struct ImportRunner: Sendable {
    let database: Database
    let access: ConnectorAccess
    let health: ConnectionHealthRecorder
    let settings: ImportSettings
    let runs = ImportRunRepository()
    let connections = ConnectionRepository()
    let teams = TeamRepository()
    let writer = AccountImportWriter()
    let matcher = PeopleMatcher()
    let audit = AuditLogRepository()

    public init(database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, settings: ImportSettings = ImportSettings()) {
        self.database = database
        self.access = access
        self.health = health
        self.settings = settings
    }

    func run(_ payload: ImportJobPayload, context: JobContext) async throws -> JobOutcome {
        let organization = context.organizationID
        var logger = context.logger
        let started = try await database.withTenant(organization, logger: logger) { db -> (ImportRun, PlatformConnection)? in
            let run = try await runs.get(organization, payload.importRunID, on: db, logger: logger)
            guard run.state.isActive else { return nil }
            let connection = try await connections.get(organization, run.connectionID, on: db, logger: logger)
            guard !connection.isDisconnected else {
                try await runs.finish(
                    organization, run.id, state: .failed, cause: "connection_disconnected",
                    message: "The connection was disconnected before the import ran.", on: db, logger: logger)
                return nil
            }
            guard let attempt = try await runs.beginAttempt(organization, run.id, on: db, logger: logger) else { return nil }
            return (attempt, connection)
        }
        guard let (run, connection) = started else { return .succeeded }
        logger[metadataKey: "import_run_id"] = "\(run.id)"
        logger[metadataKey: "connection_id"] = "\(connection.id)"
        let target = AccountImportWriter.Target(organization: organization, connection: connection.id, run: run.id)
        do {
            let connector = try await access.connector(for: connection, database: database, logger: logger)
            if connection.platform.importsSelectedTeams {
                let selected = try await database.withTenant(organization, logger: logger) { db in
                    let selected = try await teams.list(organization, connection: connection.id, selectedOnly: true, on: db, logger: logger)
                    if !selected.isEmpty {
                        try await runs.setPhase(organization, run.id, .members, teamsTotal: selected.count, on: db, logger: logger)
                    }
                    return selected
                }
                guard !selected.isEmpty else {
                    try await fail(run, cause: "no_teams_selected", message: ConnectCenter.noTeamsMessage, logger: logger)
                    return .succeeded
                }
                try await stageMembers(of: selected, connector: connector, target: target, logger: logger)
            }
            try await database.withTenant(organization, logger: logger) { db in
                try await runs.setPhase(organization, run.id, .users, on: db, logger: logger)
            }
            var added = 0
            for try await page in connector.users() {
                let written = try await write(page, scoped: connection.platform.importsSelectedTeams, target: target, logger: logger)
                // A first import adds an organization the planner's statistics have never seen, and
                // estimates it at a row or two (even beside big organizations, which it knows):
                // refreshed once it has grown, the statements after the import plan for its size.
                // (The pages themselves run on a generic plan that does not ask the statistics.)
                if added < PlannerStatistics.threshold, added + written.added >= PlannerStatistics.threshold {
                    try await refreshStatistics(organization, logger: logger)
                }
                added += written.added
            }
            let changes = try await finish(run, connection: connection, target: target, logger: logger)
            if changes >= PlannerStatistics.threshold { try await refreshStatistics(organization, logger: logger) }
            return .succeeded
        } catch is Stopped {
            logger.notice("import stopped: the run ended or its connection was disconnected while it ran")
            return .succeeded
        } catch let failure as PlatformFailure {
            return try await handle(failure, run: run, connection: connection, logger: logger)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try? await database.withTenant(organization, logger: logger) { db in
                try await runs.recordError(organization, run.id, "\(error)", on: db, logger: logger)
            }
            throw error
        }
    }

    /// Lists the members of the selected teams, a few teams at a time, into the run's staging:
    /// members of many small teams go in one statement, a big team's in several.
    private func stageMembers(
        of selected: [Team], connector: any PlatformConnector, target: AccountImportWriter.Target, logger: Logger
    ) async throws {
        let staging = MemberStaging()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = selected.makeIterator()
            for _ in 0..<max(1, settings.teamConcurrency) {
                guard let team = pending.next() else { break }
                group.addTask { try await stage(team, connector: connector, into: staging, target: target, logger: logger) }
            }
            while try await group.next() != nil {
                if let team = pending.next() {
                    group.addTask { try await stage(team, connector: connector, into: staging, target: target, logger: logger) }
                }
            }
        }
        try await write(staging.takeAll(), target: target, logger: logger)
    }

    private func stage(
        _ team: Team, connector: any PlatformConnector, into staging: MemberStaging, target: AccountImportWriter.Target, logger: Logger
    ) async throws {
        do {
            for try await page in connector.teamMembers(teamID: team.platformTeamID) {
                let members = page.map {
                    AccountImportWriter.StagedMember(team: team.id, platformUserID: $0.platformUserID, email: $0.email, displayName: $0.displayName)
                }
                if let batch = staging.add(members, pages: 1) { try await write(batch, target: target, logger: logger) }
            }
        } catch let failure as PlatformFailure where failure.cause == .targetNotFound {
            // The team was deleted upstream: nobody is in it any more.
            logger.notice("a selected team no longer exists upstream", metadata: ["team": "\(team.platformTeamID)"])
        }
        if let batch = staging.add([], teams: 1) { try await write(batch, target: target, logger: logger) }
    }

    /// The run ended (failed by a disconnect) or its connection was disconnected while it ran:
    /// it writes nothing more.
    struct Stopped: Error {}

    /// Starts each write transaction of the run (see `ImportRunRepository.mayWrite`).
    private func holdRun(_ target: AccountImportWriter.Target, on db: PostgresConnection, logger: Logger) async throws {
        guard try await runs.mayWrite(target.organization, target.run, connection: target.connection, on: db, logger: logger) else {
            throw Stopped()
        }
    }

    /// Stages a batch of members and its progress in one transaction.
    private func write(_ batch: MemberStaging.Batch, target: AccountImportWriter.Target, logger: Logger) async throws {
        try await database.withTenant(target.organization, logger: logger) { db in
            try await holdRun(target, on: db, logger: logger)
            try await writer.stageMembers(batch.members, target: target, on: db, logger: logger)
            var delta = ImportRun.Counts()
            delta.pagesFetched = batch.pages
            delta.teamsFetched = batch.teams
            try await runs.addProgress(target.organization, target.run, delta, on: db, logger: logger)
        }
    }

    /// Asks for the directory tables' statistics to be refreshed, by a job of their own: the
    /// import goes on meanwhile. `ANALYZE` reads a sample of the whole table, every organization's
    /// rows, so its cost grows with the other tenants' data (2.4 s a table set beside ten
    /// organizations of 50,000 people, 0.4 s alone), and the four imports of an organization
    /// asked for it together. One job waits per organization: a request while it waits is the
    /// same refresh, and one while it runs is covered closely enough (the planner needs the
    /// organization's size to within its order, not its last rows).
    private func refreshStatistics(_ organization: OrganizationID, logger: Logger) async throws {
        let job = NewJob(kind: DirectoryJobs.refreshStatistics, dedupeKey: "statistics:directory")
        try await database.withTenant(organization, logger: logger) { db in
            _ = try await JobQueue.enqueue(job, organization: organization, on: db, logger: logger)
        }
    }

    /// The `directory.statistics` job.
    func refreshStatistics(context: JobContext) async throws -> JobOutcome {
        try await database.client.withConnection { db in try await PlannerStatistics.refreshDirectory(on: db, logger: context.logger) }
        return .succeeded
    }

    /// Writes one page of users and its progress in one transaction.
    private func write(
        _ page: [PlatformAccount], scoped: Bool, target: AccountImportWriter.Target, logger: Logger
    ) async throws -> AccountImportWriter.PageResult {
        var rows: [String: AccountImportWriter.Row] = [:]
        var bots: [String] = []
        for account in page {
            guard !account.isBot else {
                bots.append(account.platformUserID)
                continue
            }
            rows[account.platformUserID] = AccountImportWriter.Row(
                platformUserID: account.platformUserID, emails: account.emails.filter { $0.contains { $0 != " " } },
                displayName: account.displayName, realName: account.realName, isActive: account.isActive, isGuest: account.isGuest)
        }
        return try await database.withTenant(target.organization, logger: logger) { db in
            try await holdRun(target, on: db, logger: logger)
            // Scoped to teams, only the bots that are members of a selected team count, and they
            // leave the staged members (never to be imported as members the listing missed).
            let skipped = scoped ? try await writer.unstageMembers(bots, target: target, on: db, logger: logger) : bots.count
            return try await writer.upsert(
                Array(rows.values), skippedBots: skipped, onlyStagedMembers: scoped, target: target, on: db, logger: logger)
        }
    }

    /// Marks departed accounts, rebuilds memberships, matches people and ends the run, in one
    /// transaction: a crash before its commit leaves the run to be retried, after it, done.
    /// Returns how many accounts the run changed.
    private func finish(_ run: ImportRun, connection: PlatformConnection, target: AccountImportWriter.Target, logger: Logger) async throws -> Int {
        let organization = target.organization
        try await database.withTenant(organization, logger: logger) { db in
            try await runs.setPhase(organization, run.id, .finishing, on: db, logger: logger)
        }
        return try await database.withTenantRetryingConflicts(organization, logger: logger) { db in
            try await holdRun(target, on: db, logger: logger)
            // The connection's own accounts and memberships are written before the people lock, so
            // that the organization's other imports finish meanwhile instead of queueing behind
            // them. Only an import of this connection writes its accounts' rows: another's
            // matching touches them just to give an account without a person its person, and a
            // membership's key share lock lets that through (docs/directory.md).
            let counts = try await writer.finish(target, scopedToTeams: connection.platform.importsSelectedTeams, on: db, logger: logger)
            try await PeopleMatcher.lockPeople(organization, on: db, logger: logger)
            let changes = counts.accountsAdded + counts.accountsUpdated + counts.accountsReactivated + counts.accountsDeactivated
            let matched = try await matcher.match(organization, connection: connection.id, changed: changes > 0, on: db, logger: logger)
            guard let ended = try await runs.finish(organization, run.id, state: .succeeded, counts: counts, on: db, logger: logger) else { return 0 }
            try await audit.append(
                .init(
                    action: "import.succeeded", targetType: "import", targetID: run.id.description,
                    details: [
                        "connection_id": connection.id.description, "added": "\(counts.accountsAdded)",
                        "updated": "\(counts.accountsUpdated)", "reactivated": "\(counts.accountsReactivated)",
                        "deactivated": "\(counts.accountsDeactivated)", "people_created": "\(matched.peopleCreated)",
                        "people_removed": "\(matched.peopleRemoved)",
                    ]),
                organization: organization, actor: .system, requestID: nil, on: db, logger: logger)
            try await health.markConnected(connection: connection.id, organization: organization, actor: .system, on: db, logger: logger)
            if changes > 0 {
                // Accounts came, went or changed: directory members may match people now, or have left.
                let policies = try await AutoSyncPolicyRepository().list(organization, on: db, logger: logger).filter(\.settings.enabled)
                try await AutoSyncRuns.request(policies.map(\.id), trigger: .import, organization: organization, on: db, logger: logger)
            }
            logger.info(
                "import succeeded",
                metadata: [
                    "seen": "\(ended.counts.accountsSeen)", "added": "\(counts.accountsAdded)", "updated": "\(counts.accountsUpdated)",
                    "deactivated": "\(counts.accountsDeactivated)",
                ])
            return changes
        }
    }
}
