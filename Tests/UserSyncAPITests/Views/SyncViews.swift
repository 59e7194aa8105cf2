import Foundation
import UserSyncDomain

/// What a bulk request came to (`Tally`).
struct TallyView: Decodable {
    let counts: [String: Int]
}

/// An action queued for the worker (`Action`).
struct ActionView: Decodable {
    let action: String
    let personId: String
    let jobId: String?
    let nextPromptAllowedAt: Date?
}

/// What one person's sync would come to (`SyncPreview`).
struct SyncPreviewView: Decodable {
    let personId: String
    let connectionId: String
    let platform: Platform
    let expectation: String
    let mode: String?
    let createsSync: Bool
    let canWork: Bool
    let existingStatus: String?
    let message: String
}

/// A bulk sync's preview: people per expectation code (`BulkSyncPreview`).
struct BulkSyncPreviewView: Decodable {
    let connectionId: String
    let platform: Platform
    let total: Int
    let counts: [String: Int]
}

/// One entry of the audit log (`AuditEntry`).
struct AuditEntryView: Decodable {
    let id: String
    let at: Date
    let actor: ActorView
    let action: String
    let targetType: String?
    let targetId: String?
    let details: [String: String]
    let requestId: String?
}

/// A job of the queue (`Job`), as far as the tests read it.
struct JobView: Decodable {
    let id: String
    let kind: String
    let state: String
    let attempts: Int
    let maxAttempts: Int
}

/// How a direct message is routed (`Route`).
struct RouteView: Decodable {
    struct Delivery: Decodable {
        let personId: String
        let email: String
        let connectionId: String
        let platform: Platform
        let platformUserId: String
    }

    struct Sender: Decodable {
        let personId: String
        let accountId: String
        let kind: String
        let platformUserId: String?
        let displayName: String
    }

    let routable: Bool
    let deliverTo: Delivery
    let sendAs: Sender
}
