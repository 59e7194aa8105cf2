import Foundation
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

extension RelayDelivery {
    /// A connection's delivery job: the conversations whose events found no run to read them
    /// while it waited (sql/0043), each delivered under its own lease, all at once. A conversation
    /// that cannot be finished now (a message waits for its retry, or the run reached
    /// ``RelaySettings/messagesPerRun``) goes to a job of its own, due when it may go on, so that
    /// the other conversations neither wait for it nor run again with it. The job fails, to run
    /// again, only when that hand-over cannot be stored; running it again is harmless, as every
    /// step is.
    func run(_ connection: ConnectionID, batch conversations: [String], context: JobContext) async throws -> JobOutcome {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for conversation in Set(conversations) {
                group.addTask { try await deliverOrHandOver(connection, conversation, context: context) }
            }
            try await group.waitForAll()
        }
        return .succeeded
    }

    private func deliverOrHandOver(_ connection: ConnectionID, _ conversation: String, context: JobContext) async throws {
        let resume: Date, reason: String
        do {
            switch try await run(connection, conversation, context: context) {
            case .succeeded: return
            case .snooze(let until, let why): (resume, reason) = (until, why)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let later as RetryLater {
            (resume, reason) = (later.at, later.description)
        } catch {
            (resume, reason) = (settings.now().addingTimeInterval(retryDelay(afterAttempt: context.attempt).seconds), "\(error)")
        }
        let organization = context.organizationID, logger = context.logger
        let successor = try RelayJobs.deliverJob(connection: connection, conversation: conversation, maxAttempts: relay.maxAttempts, at: resume)
        try await database.withTenant(organization, logger: logger) { db in
            guard let id = try await JobQueue.enqueue(successor, organization: organization, on: db, logger: logger) else { return }
            try await messages.handOver(
                organization, connection: connection, conversation: conversation, from: context.jobID, to: id, on: db, logger: logger)
            logger.info(
                "a conversation goes on in a job of its own",
                metadata: ["conversation": "\(conversation)", "successor_job_id": "\(id)", "resumes_at": "\(resume)", "reason": "\(reason)"])
        }
    }
}
