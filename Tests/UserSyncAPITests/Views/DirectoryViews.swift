import Foundation
import UserSyncDomain

/// A page of a list as the API shows it (`items` and `next_cursor`).
struct Page<Item: Decodable>: Decodable {
    let items: [Item]
    let nextCursor: String?
}

/// Any resource, read for its id only.
struct IdentifiedView: Decodable {
    let id: String
}

/// A person with their accounts and syncs (`Person` in the OpenAPI document).
struct PersonView: Decodable {
    struct Primary: Decodable {
        let connectionId: String
        let platform: Platform?
        let source: String
        let chosenBy: String?
        let chosenAt: Date?
    }

    let id: String
    let email: String
    let displayName: String?
    let primary: Primary?
    let needsPrimaryChoice: Bool
    let allAccountsDeactivated: Bool
    /// The platforms the person has an active account on.
    let platforms: [Platform]
    let accounts: [AccountView]
    let syncs: [SyncView]
    let createdAt: Date
    let updatedAt: Date

    /// The platforms of the person's accounts, active or not.
    var accountPlatforms: Set<Platform> { Set(accounts.map(\.platform)) }
    var activePlatforms: Set<Platform> { Set(platforms) }
    var primaryPlatform: Platform? { primary?.platform }

    /// The person's (first) account on `platform`.
    func account(on platform: Platform) -> AccountView? { accounts.first { $0.platform == platform } }
}

/// One account of a person on a platform (`Account`).
struct AccountView: Decodable {
    let id: String
    let connectionId: String
    let platform: Platform
    let platformUserId: String
    let email: String?
    let emails: [String]
    let displayName: String?
    let realName: String?
    let guest: Bool
    let active: Bool
    let deactivatedAt: Date?
    let deactivationReason: String?
    let firstSeenAt: Date
    let changedAt: Date
}

/// Who did something (`Actor`).
struct ActorView: Decodable, Equatable {
    let kind: String
    let id: String?
}

/// A sync, with its history on a person's or a sync's own page (`Sync`).
struct SyncView: Decodable {
    let id: String
    let personId: String
    let connectionId: String
    let platform: Platform
    let mode: String?
    let status: String
    let cause: String?
    let message: String?
    let nextRetryAt: Date?
    let fixAction: String?
    let linkedAccountId: String?
    let virtualKind: String?
    let virtualIdentity: String?
    let authorized: Bool
    let createdBy: String
    let createdAt: Date
    let updatedAt: Date
    let history: [SyncEventView]?
}

/// One status change of a sync (`SyncEvent`).
struct SyncEventView: Decodable {
    let fromStatus: String?
    let toStatus: String
    let cause: String?
    let message: String
    let actor: ActorView
    let nextRetryAt: Date?
    let fixAction: String?
    let at: Date
}

/// An import run with its live counts (`ImportRun`).
struct ImportRunView: Decodable {
    struct Failure: Decodable {
        let cause: String
        let message: String?
    }

    struct Counts: Decodable {
        let pagesFetched: Int
        let teamsTotal: Int
        let teamsFetched: Int
        let accountsSeen: Int
        let accountsAdded: Int
        let accountsUpdated: Int
        let accountsReactivated: Int
        let accountsDeactivated: Int
        let accountsWithoutEmail: Int
        let botsSkipped: Int
    }

    let id: String
    let connectionId: String
    let state: String
    let phase: String?
    let waitingUntil: Date?
    let failure: Failure?
    let lastError: String?
    let attempts: Int
    let jobId: String?
    let requestedBy: String
    let counts: Counts
    let createdAt: Date
    let startedAt: Date?
    let finishedAt: Date?
}

/// A connection as the Connect Center shows it (`Connection`).
struct ConnectionView: Decodable {
    struct Workspace: Decodable {
        let id: String
        let name: String?
    }

    struct Health: Decodable {
        let state: String
        let cause: String?
        let message: String?
        let changedAt: Date
    }

    struct Accounts: Decodable {
        let total: Int
        let active: Int
    }

    struct Teams: Decodable {
        let known: Int
        let selected: Int
        let selectionRequired: Bool
    }

    let id: String
    let platform: Platform
    let displayName: String
    let workspace: Workspace
    let health: Health
    let apiBaseUrl: String
    let authBaseUrl: String?
    let lastVerifiedAt: Date?
    let createdAt: Date
    let updatedAt: Date
    let disconnectedAt: Date?
    let accounts: Accounts?
    let teams: Teams?
    let latestImport: ImportRunView?
}

/// A team of a connection with the admin's selection (`Team`).
struct TeamView: Decodable {
    let id: String
    let platformTeamId: String
    let name: String
    let description: String?
    let memberCount: Int?
    let selected: Bool
    let selectedAt: Date?
    let selectedBy: String?
}
