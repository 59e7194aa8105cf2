import Foundation
import UserSyncDomain
import UserSyncUseCases

/// A sync with its status, the reason for it, and (on a person's or a sync's own page) its history.
struct SyncRepresentation: JSONWritable, Sendable {
    struct Event: JSONWritable, Sendable {
        let fromStatus: String?
        let toStatus: String
        let cause: String?
        let message: String
        let actor: Actor
        let nextRetryAt: Date?
        let fixAction: String?
        let at: Date

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.member("actor", actor)
                json.member("at", at)
                json.member("cause", cause)
                json.member("fix_action", fixAction)
                json.member("from_status", fromStatus)
                json.member("message", message)
                json.member("next_retry_at", nextRetryAt)
                json.member("to_status", toStatus)
            }
        }
    }

    struct Actor: Encodable, JSONWritable, Sendable {
        let kind: String
        @Nullable var id: String?

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.member("id", id)
                json.member("kind", kind)
            }
        }
    }

    let id: SyncID
    let personId: PersonID
    let connectionId: ConnectionID
    let platform: Platform
    let mode: String?
    let status: String
    let cause: String?
    let message: String?
    let nextRetryAt: Date?
    let fixAction: String?
    let linkedAccountId: AccountID?
    let virtualKind: String?
    let virtualIdentity: String?
    let authorized: Bool
    let createdBy: String
    let createdAt: Date
    let updatedAt: Date
    let history: [Event]?

    init(_ sync: Sync, history: Bool) {
        id = sync.id
        personId = sync.personID
        connectionId = sync.connectionID
        platform = sync.platform
        mode = sync.mode?.rawValue
        status = sync.status.rawValue
        cause = sync.cause?.rawValue
        message = sync.message
        nextRetryAt = sync.nextRetryAt
        fixAction = sync.fixAction
        linkedAccountId = sync.linkedAccountID
        virtualKind = sync.virtualKind?.rawValue
        virtualIdentity = sync.virtualIdentity
        authorized = sync.hasUserTokens
        createdBy = sync.createdBy
        createdAt = sync.createdAt
        updatedAt = sync.updatedAt
        self.history =
            history
            ? sync.history.map {
                Event(
                    fromStatus: $0.fromStatus?.rawValue, toStatus: $0.toStatus.rawValue, cause: $0.cause?.rawValue, message: $0.message,
                    actor: Actor(kind: $0.actorKind, id: $0.actorID), nextRetryAt: $0.nextRetryAt, fixAction: $0.fixAction, at: $0.createdAt)
            } : nil
    }

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.member("authorized", authorized)
            json.member("cause", cause)
            json.member("connection_id", connectionId)
            json.member("created_at", createdAt)
            json.member("created_by", createdBy)
            json.member("fix_action", fixAction)
            json.member("history", history)
            json.member("id", id)
            json.member("linked_account_id", linkedAccountId)
            json.member("message", message)
            json.member("mode", mode)
            json.member("next_retry_at", nextRetryAt)
            json.member("person_id", personId)
            json.member("platform", platform)
            json.member("status", status)
            json.member("updated_at", updatedAt)
            json.member("virtual_identity", virtualIdentity)
            json.member("virtual_kind", virtualKind)
        }
    }
}

/// What a bulk request came to: how many people got each verdict.
struct TallyRepresentation: Encodable, Sendable {
    let counts: [String: Int]
}

/// What one person's sync would come to (`expectation` is a ``SyncPreview`` code: `link`,
/// `guest`, `bot_persona`, `secondary_account_required`, `secondary_account_deactivated`,
/// `exists`, `no_primary`, `secondary_is_primary`).
struct SyncPreviewRepresentation: Encodable, Sendable {
    let personId: PersonID
    let connectionId: ConnectionID
    let platform: Platform
    let expectation: String
    @Nullable var mode: SyncMode?
    /// Whether confirming creates a sync record.
    let createsSync: Bool
    /// Whether the sync, once made, can work.
    let canWork: Bool
    @Nullable var existingStatus: SyncStatus?
    let message: String

    init(_ preview: UserSync.Preview) {
        personId = preview.person.id
        connectionId = preview.connection.id
        platform = preview.connection.platform
        expectation = preview.expectation.code
        mode = preview.expectation.mode
        createsSync = preview.expectation.creates
        canWork = preview.expectation.canWork
        if case .exists(let status) = preview.expectation { existingStatus = status }
        message = preview.message
    }
}

/// A bulk sync's preview: people per expectation code.
struct BulkSyncPreviewRepresentation: Encodable, Sendable {
    let connectionId: ConnectionID
    let platform: Platform
    let total: Int
    let counts: [String: Int]
}

/// An action queued for the worker.
struct ActionRepresentation: Encodable, Sendable {
    let action: String
    let personId: PersonID
    @Nullable var jobId: String?
    @Nullable var nextPromptAllowedAt: Date?
}

struct AuditEntryRepresentation: Encodable, Sendable {
    let id: String
    let at: Date
    let actor: SyncRepresentation.Actor
    let action: String
    @Nullable var targetType: String?
    @Nullable var targetId: String?
    let details: [String: String]
    @Nullable var requestId: String?

    init(_ entry: AuditEntry) {
        id = String(entry.id)
        at = entry.at
        actor = .init(kind: entry.actorKind, id: entry.actorID)
        action = entry.action
        targetType = entry.targetType
        targetId = entry.targetID
        details = entry.details
        requestId = entry.requestID
    }
}

/// How a direct message is routed.
struct RouteRepresentation: Encodable, Sendable {
    struct Delivery: Encodable, Sendable {
        let personId: PersonID
        let email: String
        let connectionId: ConnectionID
        let platform: Platform
        let platformUserId: String
    }

    struct Sender: Encodable, Sendable {
        let personId: PersonID
        let accountId: AccountID
        let kind: String
        @Nullable var platformUserId: String?
        let displayName: String
    }

    let routable = true
    let deliverTo: Delivery
    let sendAs: Sender

    init(_ route: MessageRouting.Route) {
        deliverTo = Delivery(
            personId: route.recipientPerson, email: route.recipientEmail, connectionId: route.deliverTo.connectionID,
            platform: route.deliverTo.platform, platformUserId: route.deliverTo.platformUserID)
        sendAs = Sender(
            personId: route.senderPerson, accountId: route.senderAccount, kind: route.sendAs.rawValue,
            platformUserId: route.sendAsPlatformUserID, displayName: route.sendAsDisplayName)
    }
}
