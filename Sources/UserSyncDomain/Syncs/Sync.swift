import Foundation

/// A person's sync onto one secondary connection: what makes them reachable there.
public struct Sync: Sendable, Equatable {
    public let id: SyncID
    public let organizationID: OrganizationID
    public var personID: PersonID
    public var connectionID: ConnectionID
    public var platform: Platform
    public var mode: SyncMode?
    public var status: SyncStatus
    public var cause: SyncCause?
    public var message: String?
    public var nextRetryAt: Date?
    public var fixAction: String?
    /// Link mode: the person's own account on the secondary platform.
    public var linkedAccountID: AccountID?
    /// Virtual mode: the guest's platform user id (Teams), or nil for a bot persona.
    public var virtualIdentity: String?
    public var virtualKind: VirtualKind?
    public var hasUserTokens: Bool
    public var userTokenExpiresAt: Date?
    public var createdBy: String
    public let createdAt: Date
    public var updatedAt: Date
    public var history: [SyncEvent]

    public init(
        id: SyncID, organizationID: OrganizationID, personID: PersonID, connectionID: ConnectionID, platform: Platform,
        mode: SyncMode?, status: SyncStatus, cause: SyncCause?, message: String?, nextRetryAt: Date?, fixAction: String?,
        linkedAccountID: AccountID?, virtualIdentity: String?, virtualKind: VirtualKind?, hasUserTokens: Bool,
        userTokenExpiresAt: Date?, createdBy: String, createdAt: Date, updatedAt: Date, history: [SyncEvent] = []
    ) {
        self.id = id
        self.organizationID = organizationID
        self.personID = personID
        self.connectionID = connectionID
        self.platform = platform
        self.mode = mode
        self.status = status
        self.cause = cause
        self.message = message
        self.nextRetryAt = nextRetryAt
        self.fixAction = fixAction
        self.linkedAccountID = linkedAccountID
        self.virtualIdentity = virtualIdentity
        self.virtualKind = virtualKind
        self.hasUserTokens = hasUserTokens
        self.userTokenExpiresAt = userTokenExpiresAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.history = history
    }
}

public typealias SyncID = Identifier<Sync>

public enum SyncMode: String, Sendable, Codable, CaseIterable {
    /// The person authorizes the app on their own account there (OAuth consent).
    case link
    /// The service stands in for them: a Teams guest or a bot persona.
    case virtual
}

public enum VirtualKind: String, Sendable, Codable {
    /// A guest user invited into the tenant (Teams).
    case guest
    /// The app's bot posts on the person's behalf (Slack, Webex).
    case botPersona = "bot_persona"
}

/// One change of a sync's status, as its history keeps it.
public struct SyncEvent: Sendable, Equatable {
    public var fromStatus: SyncStatus?
    public var toStatus: SyncStatus
    public var cause: SyncCause?
    public var message: String
    public var actorKind: String
    public var actorID: String?
    public var nextRetryAt: Date?
    public var fixAction: String?
    public var createdAt: Date

    public init(
        fromStatus: SyncStatus?, toStatus: SyncStatus, cause: SyncCause?, message: String, actorKind: String, actorID: String?,
        nextRetryAt: Date?, fixAction: String?, createdAt: Date
    ) {
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.cause = cause
        self.message = message
        self.actorKind = actorKind
        self.actorID = actorID
        self.nextRetryAt = nextRetryAt
        self.fixAction = fixAction
        self.createdAt = createdAt
    }
}
