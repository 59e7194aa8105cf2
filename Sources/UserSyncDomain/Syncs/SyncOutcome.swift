import Foundation

/// A sync status with its cause code, its readable message and the action that fixes it: what
/// the admin reads next to the status, and what the history keeps.
public struct SyncOutcome: Sendable, Equatable {
    public var status: SyncStatus
    public var cause: SyncCause
    public var message: String
    public var fixAction: String?
    public var nextRetryAt: Date?

    public init(status: SyncStatus, cause: SyncCause, message: String, fixAction: String? = nil, nextRetryAt: Date? = nil) {
        self.status = status
        self.cause = cause
        self.message = message
        self.fixAction = fixAction
        self.nextRetryAt = nextRetryAt
    }

    public static let secondaryAccountRequired = SyncOutcome(
        status: .failed, cause: .secondaryAccountRequired,
        message: "Zoom has no guest or stand-in accounts: this person can only be synced onto Zoom with a Zoom account of their own.",
        fixAction: "Create a Zoom account for this person (same email address), import Zoom again, then retry the sync.")

    public static func secondaryAccountDeactivated(_ platform: Platform) -> SyncOutcome {
        SyncOutcome(
            status: .failed, cause: .secondaryAccountDeactivated,
            message: "The person's \(platform.displayName) account is deactivated, so they cannot be made reachable there.",
            fixAction: "Reactivate their \(platform.displayName) account (or remove it upstream), import \(platform.displayName) again, then retry.")
    }

    public static func requested() -> SyncOutcome {
        SyncOutcome(status: .pending, cause: .syncRequested, message: "The sync is queued for the worker.")
    }

    public static func awaitingConsent(name: String, primary: Platform, secondary: Platform) -> SyncOutcome {
        SyncOutcome(
            status: .pending, cause: .awaitingUserConsent,
            message: "\(name) was sent a link on \(primary.displayName) to authorize UserSync on \(secondary.displayName).",
            fixAction: "Ask \(name) to open the link, or reprompt to send a new one.")
    }

    public static func consentGranted(secondary: Platform) -> SyncOutcome {
        SyncOutcome(status: .synced, cause: .consentGranted, message: "The person authorized UserSync on their \(secondary.displayName) account.")
    }

    public static func virtualAccountCreated(_ kind: VirtualKind, secondary: Platform) -> SyncOutcome {
        switch kind {
        case .guest:
            SyncOutcome(status: .synced, cause: .guestInvited, message: "A guest account was invited into \(secondary.displayName) for the person.")
        case .botPersona:
            SyncOutcome(
                status: .synced, cause: .botPersona,
                message: "The person has no \(secondary.displayName) account: the app's bot posts on their behalf.")
        }
    }

    public static func userDeclined(secondary: Platform) -> SyncOutcome {
        SyncOutcome(
            status: .failed, cause: .userDeclined, message: "The person declined to authorize UserSync on \(secondary.displayName).",
            fixAction: "Ask them to accept, then reprompt.")
    }

    public static func userAuthorizationRevoked(secondary: Platform, primary: Platform?) -> SyncOutcome {
        SyncOutcome(
            status: .failed, cause: .userAuthorizationRejected,
            message: "The person's authorization on \(secondary.displayName) stopped working (revoked or expired).",
            fixAction: primary.map { "A new link was sent on \($0.displayName): ask the person to authorize again." }
                ?? "Reprompt the person to authorize again.")
    }

    public static func connectionDisconnected(secondary: Platform) -> SyncOutcome {
        SyncOutcome(
            status: .failed, cause: .connectionDisconnected, message: "\(secondary.displayName) was disconnected.",
            fixAction: "Reconnect \(secondary.displayName) in the Connect Center, then sync again.")
    }

    /// The stored credentials of a connection the sync needs cannot be opened (a rotated-away
    /// encryption key, a connection disconnected meanwhile).
    public static func connectionUnusable(_ platform: Platform) -> SyncOutcome {
        SyncOutcome(
            status: .failed, cause: .connectionCredentialsUnusable,
            message: "UserSync cannot use the stored credentials of \(platform.displayName).",
            fixAction: "Update the \(platform.displayName) connection with fresh credentials in the Connect Center, then retry.")
    }

    public static let primaryRequired = SyncOutcome(
        status: .failed, cause: .primaryRequired, message: "The person has no primary platform any more.",
        fixAction: "Choose the person's primary platform, then sync again.")

    public static let repromptRequested = SyncOutcome(
        status: .pending, cause: .repromptRequested, message: "An admin asked to send the person a new consent link.")

    /// The sync's work failed for now too many times in a row.
    public static func gaveUp(attempts: Int, lastError: String) -> SyncOutcome {
        SyncOutcome(
            status: .failed, cause: .gaveUp, message: "UserSync gave up after \(attempts) attempts. Last error: \(lastError)",
            fixAction: "Retry the sync once the cause is resolved.")
    }

    /// A platform call that failed, as the sync shows it: who fixes it decides the status.
    public static func platformFailure(
        _ failure: PlatformFailure, during step: String, retryAt: Date? = nil
    ) -> SyncOutcome {
        let said = "\(failure.platform.displayName): \(failure.message)" + (failure.platformCode.map { " (\($0))" } ?? "")
        switch failure.fixer {
        case .retry:
            return SyncOutcome(
                status: .pending, cause: SyncCause(failure.cause), message: "\(step) failed for now and will be retried. \(said)",
                nextRetryAt: retryAt ?? failure.retryAt)
        case .admin:
            return SyncOutcome(
                status: .failed, cause: SyncCause(failure.cause), message: "\(step) failed. \(said)",
                fixAction: "Reconnect \(failure.platform.displayName) in the Connect Center (its connection needs attention), then retry.")
        case .user:
            return SyncOutcome(
                status: .failed, cause: SyncCause(failure.cause), message: "\(step) failed. \(said)",
                fixAction: "Reprompt the person to authorize again.")
        case .nobody:
            let fix =
                switch failure.cause {
                case .targetNotFound, .targetUnavailable:
                    "The person's \(failure.platform.displayName) account is gone or deactivated: reactivate it or choose another primary, then retry."
                default: "Check the platform's message; retry once it is resolved."
                }
            return SyncOutcome(status: .failed, cause: SyncCause(failure.cause), message: "\(step) failed. \(said)", fixAction: fix)
        }
    }
}
