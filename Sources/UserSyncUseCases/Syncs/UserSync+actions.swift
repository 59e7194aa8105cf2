import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

extension UserSync {
    /// The actions on people that finish in the worker.
    public enum Action: String, Sendable, CaseIterable {
        /// Break every sync (revoke tokens, remove guests upstream) and clear the primary choice.
        case reset
        /// Send the consent prompts again, with fresh links.
        case reprompt
        /// Reset, then delete the person and their accounts' data.
        case remove
    }

    /// What asking for an action on one person came to.
    public struct Requested: Sendable {
        public var jobID: Int64?
        /// For a reprompt: when the person may be prompted again without forcing.
        public var nextPromptAllowedAt: Date?
    }

    /// Queues `action` for one person. A reprompt within the interval since the last prompt is
    /// refused with the time the next one is allowed, unless forced.
    public func request(
        _ action: Action, person: PersonID, force: Bool, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> Requested {
        try await database.withTenant(organization, logger: logger) { db in
            let current = try await people.get(organization, person, on: db, logger: logger)
            var requested = Requested()
            if action == .reprompt {
                guard current.syncs.contains(where: PersonActions.waitsForPerson) else {
                    throw DomainError.conflict(
                        code: "nothing_to_reprompt", message: "The person has no link sync waiting for them to authorize.")
                }
                let interval = settings.repromptInterval.seconds
                let outcome = try await people.reservePrompts(
                    organization, people: [person], interval: interval, force: force, now: settings.now(), on: db, logger: logger)
                if let next = outcome.throttled[person] {
                    throw RepromptThrottled(nextAllowedAt: next)
                }
                requested.nextPromptAllowedAt = settings.now().addingTimeInterval(interval)
                requested.jobID = try await queueReprompts(
                    current.syncs, organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            } else {
                requested.jobID = try await JobQueue.enqueue(Self.job(action, person: person), organization: organization, on: db, logger: logger)
            }
            try await audit.append(
                .init(
                    action: "person.\(action.rawValue)_requested", targetType: "person", targetID: person.description,
                    details: ["email": current.email, "forced": "\(force)"]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return requested
        }
    }

    /// Queues `action` for many people in one bulk enqueue. Reprompts skip people prompted within
    /// the interval (unless forced) and people with nothing waiting for them.
    public func request(
        _ action: Action, _ target: Target, force: Bool, organization: OrganizationID, actor: AuditActor, requestID: String?,
        logger: Logger
    ) async throws -> Tally {
        try await database.withTenant(organization, logger: logger) { db in
            let ids = try await ids(target, organization: organization, on: db, logger: logger)
            var tally: Tally = [:]
            if action == .reprompt {
                let waiting = try await syncs.forPeople(organization, ids, history: false, on: db, logger: logger)
                let eligible = ids.filter { waiting[$0]?.contains(where: PersonActions.waitsForPerson) ?? false }
                tally["nothing_to_reprompt"] = ids.count - eligible.count
                let outcome = try await people.reservePrompts(
                    organization, people: eligible, interval: settings.repromptInterval.seconds, force: force, now: settings.now(),
                    on: db, logger: logger)
                tally["throttled"] = outcome.throttled.count
                _ = try await queueReprompts(
                    outcome.reserved.flatMap { waiting[$0] ?? [] }, organization: organization, actor: actor, requestID: requestID, on: db,
                    logger: logger)
                tally["queued"] = outcome.reserved.count
            } else {
                let queued = try await JobQueue.enqueue(ids.map { Self.job(action, person: $0) }, organization: organization, on: db, logger: logger)
                tally["queued"] = queued.count { $0 != nil }
                tally["already_queued"] = queued.count { $0 == nil }
            }
            tally = tally.filter { $0.value > 0 }
            try await audit.append(
                .init(
                    action: "people.\(action.rawValue)_requested", targetType: "people",
                    details: [
                        "counts": Self.describe(tally), "forced": "\(force)",
                    ]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return tally
        }
    }

    /// Reprompts the link syncs among `syncs` that wait for their person: those that failed
    /// waiting (declined, authorization lost) are pending again from the admin's request on, and
    /// `sync.run` jobs send all of them fresh links. Returns the first job's id.
    private func queueReprompts(
        _ syncs: [Sync], organization: OrganizationID, actor: AuditActor, requestID: String?, on db: PostgresConnection, logger: Logger
    ) async throws -> Int64? {
        let waiting = syncs.filter(PersonActions.waitsForPerson)
        try await SyncRecorder().record(
            organization, waiting.filter { $0.status == .failed }.map { .init(sync: $0.id, outcome: .repromptRequested) },
            actor: actor, requestID: requestID, on: db, logger: logger)
        return try await JobQueue.enqueue(SyncJobs.runJobs(waiting.map(\.id), fresh: true), organization: organization, on: db, logger: logger)
            .first ?? nil
    }

    /// A reset's or removal's job (reprompts are `sync.run` jobs).
    static func job(_ action: Action, person: PersonID) -> NewJob {
        let kind = SyncJobs.reset
        // One of each action queued per person at a time; a removal asked for while a reset is
        // queued or running is a job of its own (both are idempotent), never dropped.
        let key = "\(action.rawValue):\(person)"
        return try! NewJob(kind: kind, payload: PersonJobPayload(personID: person, remove: action == .remove), maxAttempts: 8, dedupeKey: key)
    }
}

/// A reprompt asked for too soon after the last prompt.
public struct RepromptThrottled: Error, Sendable {
    public var nextAllowedAt: Date
}
