import Foundation

/// One import of a connection's users, executed by the worker.
public struct ImportRun: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case queued, running, succeeded, failed

        public var isActive: Bool { self == .queued || self == .running }
    }

    /// Where a running import is.
    public enum Phase: String, Sendable, Codable {
        /// Listing the members of the selected teams (Teams, Webex).
        case members
        /// Listing the platform's users and writing them page by page.
        case users
        /// Marking departed accounts, rebuilding memberships and matching people.
        case finishing
    }

    /// What the run has counted. While it runs, the page and account counts are those of the
    /// current attempt; added/updated/deactivated are exact for the whole run once it finishes.
    public struct Counts: Sendable, Equatable, Codable {
        public var pagesFetched = 0
        public var teamsTotal = 0
        public var teamsFetched = 0
        public var accountsSeen = 0
        public var accountsAdded = 0
        public var accountsUpdated = 0
        public var accountsReactivated = 0
        public var accountsDeactivated = 0
        public var accountsWithoutEmail = 0
        public var botsSkipped = 0

        public init() {}
    }

    public let id: ImportRunID
    public let organizationID: OrganizationID
    public let connectionID: ConnectionID
    public var state: State
    public var phase: Phase?
    public var counts: Counts
    public var failureCause: String?
    public var failureMessage: String?
    /// Set while a platform's rate limit holds the run.
    public var waitingUntil: Date?
    public var lastError: String?
    public var attempts: Int
    public var jobID: Int64?
    public var requestedBy: String
    public let createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        id: ImportRunID, organizationID: OrganizationID, connectionID: ConnectionID, state: State, phase: Phase?,
        counts: Counts, failureCause: String?, failureMessage: String?, waitingUntil: Date?, lastError: String?,
        attempts: Int, jobID: Int64?, requestedBy: String, createdAt: Date, startedAt: Date?, finishedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.connectionID = connectionID
        self.state = state
        self.phase = phase
        self.counts = counts
        self.failureCause = failureCause
        self.failureMessage = failureMessage
        self.waitingUntil = waitingUntil
        self.lastError = lastError
        self.attempts = attempts
        self.jobID = jobID
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

public typealias ImportRunID = Identifier<ImportRun>

extension ImportRun {
    /// What an admin does about a failed import.
    public var fix: String? {
        guard state == .failed else { return nil }
        return switch failureCause.flatMap(PlatformFailure.Cause.init(rawValue:)) {
        case .credentialsRejected?: "Update the connection's credentials in the Connect Center, then import again."
        case .permissionMissing?: "Grant the app the permission the platform names, then import again."
        case .destinationRefused?: "Change the connection's base URL to a host this deployment allows, then import again."
        case .rateLimited?, .platformUnavailable?, .malformedResponse?: "The platform could not answer for now: import again in a few minutes."
        default:
            failureCause == "connection_disconnected"
                ? "Reconnect the connection in the Connect Center, then import again."
                : "Import again; if it fails the same way, the Activity and Jobs pages show what happened."
        }
    }
}
