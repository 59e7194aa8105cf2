import Foundation
import Logging
import Metrics
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The `relay.deliver` job: delivers a conversation's pending messages in the order they arrived,
/// holding the conversation's lease so that no other worker delivers from it meanwhile; a
/// connection's job does so for each of its conversations at once (``run(_:batch:context:)``). A
/// message whose delivery fails for a passing reason (rate limit, outage) stops the conversation
/// until its retry, owned by a job of that conversation; one refused for good is recorded as
/// failed and the conversation goes on. Every handler step is idempotent: a message delivered is
/// never delivered again, and a worker killed mid-delivery leaves the message pending for the
/// next (docs/relay.md).
public struct RelayDelivery: Sendable {
    let database: Database
    let access: ConnectorAccess
    let settings: SyncSettings
    let routing: MessageRouting
    let prompter: Prompter
    let messages = RelayMessageRepository()
    let connections = ConnectionRepository()
    let syncs = SyncRepository()
    let people = PeopleRepository()
    let policies = RelayPolicyRepository()
    var linkedTokens: LinkedTokens { LinkedTokens(database: database, access: access, settings: settings) }

    static let latency = Metrics.Timer(label: "usersync_relay_delivery_seconds")

    public init(database: Database, access: ConnectorAccess, settings: SyncSettings) {
        self.database = database
        self.access = access
        self.settings = settings
        self.routing = MessageRouting(database: database)
        self.prompter = Prompter(database: database, access: access, settings: settings)
    }

    var relay: RelaySettings { settings.relay }

    /// How long a delivery that failed for a passing reason waits before it is tried again.
    func retryDelay(afterAttempt attempt: Int) -> Duration {
        Backoff(base: relay.retryBaseDelay, cap: relay.maxRetryDelay, jitter: .equal).delay(afterAttempt: attempt)
    }

    func run(_ payload: RelayDeliverPayload, context: JobContext) async throws -> JobOutcome {
        if let conversations = payload.conversations { return try await run(payload.connection, batch: conversations, context: context) }
        return try await run(payload.connection, payload.conversation ?? "", context: context)
    }

    /// Delivers what is pending in one conversation while this run may hold it; the conversation
    /// is given back when the run ends, however it ends.
    func run(_ connection: ConnectionID, _ conversation: String, context: JobContext) async throws -> JobOutcome {
        let holder = RelayMessageRepository.LeaseHolder(job: context.jobID, attempt: context.attempt)
        let outcome: Result<JobOutcome, any Error>
        do {
            switch try await drain(connection, conversation, holder: holder, context: context) {
            case .released(let end): return end
            case .holding(let wait): outcome = .success(wait)
            }
        } catch { outcome = .failure(error) }
        try await database.withTenant(context.organizationID, logger: context.logger) { db in
            try await messages.release(
                context.organizationID, connection: connection, conversation: conversation, holder: holder, on: db,
                logger: context.logger)
        }
        return try outcome.get()
    }

    /// How a run's drain ends: still holding the conversation (to give back), or no longer (another
    /// run holds it, or it gave it back with nothing left to deliver).
    private enum Drained {
        case holding(JobOutcome)
        case released(JobOutcome)
    }

    /// Delivers the conversation's pending messages while this run holds it. Moving on to each
    /// message records what became of the one before, takes or renews the conversation, and reads
    /// the message (or, finding nothing left, gives the conversation back) in one round trip
    /// (``RelayMessageRepository/next(_:connection:conversation:holder:now:until:recording:on:logger:)``);
    /// what its delivery needs is read after it, in the same transaction when a message was
    /// expected (the first, or one that waited behind the message before), else in one of its own
    /// only if there was one: at a steady rate, most runs find nothing after their first message.
    private func drain(_ connection: ConnectionID, _ conversation: String, holder: RelayMessageRepository.LeaseHolder, context: JobContext)
        async throws -> Drained
    {
        let organization = context.organizationID, logger = context.logger
        var settled: Settled?
        var expected = true
        let reads = RunReads(maxAge: relay.runReadReuse)
        // Taken before the first message and renewed before each next one. Held by another run
        // that is still its job's current one, the conversation is that run's to deliver: it
        // reads the head again after this (``RelayMessageRepository/store(_:_:body:now:job:on:logger:)``).
        func moveOn(_ recording: RelayMessageRepository.Recording?, on db: PostgresConnection) async throws -> RelayMessageRepository.Next {
            let now = settings.now()
            return try await messages.next(
                organization, connection: connection, conversation: conversation, holder: holder, now: now,
                until: now.addingTimeInterval(relay.conversationLease.seconds), recording: recording, on: db, logger: logger)
        }
        func prepared(_ head: RelayMessage, _ body: String?, _ earlierAttempt: Date?, on db: PostgresConnection) async throws -> Prepared {
            let source = try await source(of: head, body: body, organization: organization, on: db, logger: logger)
            return try await prepare(
                head, source: source, earlierAttempt: earlierAttempt, organization: organization, reads: reads, on: db, logger: logger)
        }
        for _ in 0..<relay.messagesPerRun {
            let next: (head: RelayMessage, prepared: Prepared, more: Bool)?
            do {
                // What the message before became is stored as the run moves on, unless it is kept
                // for a replay (its text's expiry is a job of its own, queued with it).
                if let replayable = settled, replayable.message.state.isReplayable {
                    try await record(replayable, context: context)
                    settled = nil
                }
                let recording = settled.map { RelayMessageRepository.Recording($0) }
                if expected {
                    next = try await database.withTenant(organization, logger: logger) { db in
                        guard case .head(let head, let body, let earlierAttempt, let more) = try await moveOn(recording, on: db) else { return nil }
                        return (head, try await prepared(head, body, earlierAttempt, on: db), more)
                    }
                    settled = nil
                } else {
                    let found = try await database.withSelfScopingStatement(logger: logger) { db in try await moveOn(recording, on: db) }
                    settled = nil
                    guard case .head(let head, let body, let earlierAttempt, let more) = found else { return .released(.succeeded) }
                    // The head is marked as attempted: should this fail, the job's next run looks
                    // for a post of this attempt before posting again.
                    let ready = try await database.withTenant(organization, logger: logger) { db in
                        try await prepared(head, body, earlierAttempt, on: db)
                    }
                    next = (head, ready, more)
                }
            } catch {
                // What the message before became is kept whatever went wrong after it.
                if let settled { try await record(settled, context: context) }
                throw error
            }
            guard let next else { return .released(.succeeded) }
            expected = next.more
            switch try await deliver(next.head, next.prepared, context: context) {
            case .settled(let done): settled = done
            case .waits(let outcome): return .holding(outcome)
            }
        }
        if let settled { try await record(settled, context: context) }
        return .holding(.snooze(until: settings.now(), reason: "more messages to deliver"))
    }

    /// A message's delivery settled, with the step that says so: recorded with the next message's
    /// first transaction.
    fileprivate struct Settled: Sendable {
        var message: RelayMessage
        var step: RelayMessage.Step
        /// The platform answered that it posted nothing (a rate limit): a later attempt need not
        /// look for this one's post.
        var nothingPosted = false
    }

    private enum Delivered {
        case settled(Settled)
        /// The message waits (a rate limit), recorded as retrying: the job ends with this.
        case waits(JobOutcome)
    }

    /// Delivers one message. A message that must wait is recorded at once; throws (after
    /// recording it as retrying) to have the job retried later.
    private func deliver(_ message: RelayMessage, _ prepared: Prepared, context: JobContext) async throws -> Delivered {
        var message = message
        message.attempts += 1
        let result: RelayResult
        do {
            result = try await attempt(&message, prepared, organization: context.organizationID, logger: context.logger)
        } catch let failure as PlatformFailure {
            result = .failure(failure)
        }
        let now = settings.now()
        switch result {
        case .done(let done, let step):
            message = done
            message.retryJobID = nil
            if message.state == .delivered { Self.latency.recordNanoseconds(Int64(max(0, now.timeIntervalSince(message.receivedAt)) * 1e9)) }
            Counter(label: "usersync_relay_messages_total", dimensions: [("state", message.state.rawValue)]).increment()
            return .settled(Settled(message: message, step: step))
        case .failure(let failure) where failure.fixer == .retry:
            message.state = .retrying
            message.retryJobID = context.jobID
            message.cause = failure.cause.rawValue
            message.causeMessage = failure.message
            try await record(
                Settled(
                    message: message, step: .init(step: "retrying", cause: failure.cause.rawValue, detail: failure.message, at: now),
                    nothingPosted: failure.cause == .rateLimited),
                context: context)
            if let until = failure.retryAt { return .waits(.snooze(until: until, reason: failure.description)) }
            throw RetryLater(at: now.addingTimeInterval(retryDelay(afterAttempt: context.attempt).seconds), failure.description)
        case .failure(let failure):
            message.state = .failed
            message.retryJobID = nil
            message.cause = failure.cause.rawValue
            message.causeMessage = failure.message
            Counter(label: "usersync_relay_messages_total", dimensions: [("state", "failed")]).increment()
            return .settled(Settled(message: message, step: .init(step: "failed", cause: failure.cause.rawValue, detail: failure.message, at: now)))
        }
    }

    private func record(_ settled: Settled, context: JobContext) async throws {
        try await database.withTenant(context.organizationID, logger: context.logger) { db in
            try await record(settled, organization: context.organizationID, on: db, logger: context.logger)
        }
    }

    private func record(_ settled: Settled, organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        try await record(
            settled.message, step: settled.step, nothingPosted: settled.nothingPosted, organization: organization, on: db, logger: logger)
    }

    /// Stores what became of a message; an undelivered one keeps its text for a replay until the
    /// retention window ends (a `relay.expire` job then drops it). ``drain`` stores any other
    /// with the conversation's lease, in one round trip.
    func record(
        _ message: RelayMessage, step: RelayMessage.Step, nothingPosted: Bool = false, organization: OrganizationID, on db: PostgresConnection,
        logger: Logger
    ) async throws {
        try await messages.record(
            organization, message, step: step, keepBody: message.state.isReplayable, nothingPosted: nothingPosted, on: db, logger: logger)
        if message.state.isReplayable {
            let expiry = try RelayJobs.expireJob(message.id, at: step.at.addingTimeInterval(relay.textRetention.seconds))
            try await JobQueue.enqueue(expiry, organization: organization, on: db, logger: logger)
        }
    }

    /// The `relay.expire` job: drops an undelivered message's text once it is older than the
    /// retention window; a message replayed since waits for its own window.
    func expire(_ payload: RelayExpirePayload, context: JobContext) async throws -> JobOutcome {
        let retention = relay.textRetention.seconds
        let changed = try await database.withTenant(context.organizationID, logger: context.logger) { db in
            try await messages.dropBody(
                context.organizationID, payload.message, changedBefore: settings.now().addingTimeInterval(-retention), on: db, logger: context.logger)
        }
        guard let changed else { return .succeeded }
        return .snooze(until: changed.addingTimeInterval(retention), reason: "the message changed since; its text is kept until its window ends")
    }

    /// A job whose retries ran out: the message it was retrying is dead (an admin may replay
    /// it), and each of its conversations' later messages get a job of their own.
    func died(_ job: DeadJob, logger: Logger) async {
        let organization = job.organizationID
        do {
            let payload = try JSONDecoder().decode(RelayDeliverPayload.self, from: Data(job.payload.utf8))
            let now = settings.now()
            try await database.withTenant(organization, logger: logger) { db in
                for var message in try await messages.owned(organization, job: job.jobID, on: db, logger: logger) {
                    message.state = .dead
                    message.retryJobID = nil
                    try await record(
                        message, step: .init(step: "dead", cause: message.cause, detail: job.error, at: now), organization: organization, on: db,
                        logger: logger)
                }
                for conversation in payload.all {
                    let next = try RelayJobs.deliverJob(connection: payload.connection, conversation: conversation, maxAttempts: relay.maxAttempts)
                    try await JobQueue.enqueue(next, organization: organization, on: db, logger: logger)
                }
            }
        } catch {
            logger.error("a dead relay job could not be recorded", metadata: ["job_id": "\(job.jobID)", "error": "\(error)"])
        }
    }
}

extension RelayMessageRepository.Recording {
    /// A settled message as ``RelayDelivery/record(_:step:nothingPosted:organization:on:logger:)`` stores it.
    fileprivate init(_ settled: RelayDelivery.Settled) {
        self.init(message: settled.message, step: settled.step, keepBody: settled.message.state.isReplayable, nothingPosted: settled.nothingPosted)
    }
}

/// What became of one delivery attempt.
enum RelayResult {
    /// Settled (delivered, notified, ignored, failed for a reason of ours), with the step to add.
    case done(RelayMessage, RelayMessage.Step)
    /// The platform refused or failed.
    case failure(PlatformFailure)
}
