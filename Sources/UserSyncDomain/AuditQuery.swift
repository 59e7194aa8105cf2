import Foundation

/// An audit entry as stored.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actorKind: String
    public var actorID: String?
    public var action: String
    public var targetType: String?
    public var targetID: String?
    public var details: [String: String]
    public var requestID: String?

    public init(
        id: Int64, at: Date, actorKind: String, actorID: String?, action: String, targetType: String?, targetID: String?,
        details: [String: String], requestID: String?
    ) {
        self.id = id
        self.at = at
        self.actorKind = actorKind
        self.actorID = actorID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.details = details
        self.requestID = requestID
    }
}

/// Which audit entries a list covers.
public struct AuditQuery: Sendable {
    /// An action, or a prefix ending in `*` (`sync.*`).
    public var action: String?
    public var actorKind: String?
    public var actorID: String?
    public var targetType: String?
    public var targetID: String?
    public var since: Date?
    public var until: Date?
    /// Entries older than this id (newest first, for cursor paging).
    public var before: Int64?
    public var limit = 50

    public init() {}
}
