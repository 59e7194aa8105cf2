/// Why a sync has its status: the machine-readable code the API, the console and the history
/// show beside the readable message. A platform failure keeps its own cause
/// (``PlatformFailure/Cause``), so every one of those has a case here with the same code.
public enum SyncCause: String, Sendable, Hashable, Codable, CaseIterable {
    // The sync's own steps.
    case syncRequested = "sync_requested"
    case repromptRequested = "reprompt_requested"
    case retryRequested = "retry_requested"
    case connectionHealed = "connection_healed"
    case awaitingUserConsent = "awaiting_user_consent"
    case consentGranted = "consent_granted"
    case guestInvited = "guest_invited"
    case botPersona = "bot_persona"
    // Why it cannot go on until someone acts.
    case userDeclined = "user_declined"
    case secondaryAccountRequired = "secondary_account_required"
    case secondaryAccountDeactivated = "secondary_account_deactivated"
    case primaryRequired = "primary_required"
    case primaryAccountUnavailable = "primary_account_unavailable"
    case consentNotConfigured = "consent_not_configured"
    case connectionDisconnected = "connection_disconnected"
    case connectionCredentialsUnusable = "connection_credentials_unusable"
    case gaveUp = "gave_up"
    // A platform call that failed (``PlatformFailure/Cause``).
    case credentialsRejected = "credentials_rejected"
    case permissionMissing = "permission_missing"
    case userAuthorizationRejected = "user_authorization_rejected"
    case targetNotFound = "target_not_found"
    case targetUnavailable = "target_unavailable"
    case rateLimited = "rate_limited"
    case platformUnavailable = "platform_unavailable"
    case malformedResponse = "malformed_response"
    case requestRejected = "request_rejected"
    case destinationRefused = "destination_refused"
    case notSupported = "not_supported"

    /// The sync cause of a platform failure: the same code.
    public init(_ failure: PlatformFailure.Cause) {
        switch failure {
        case .credentialsRejected: self = .credentialsRejected
        case .permissionMissing: self = .permissionMissing
        case .userAuthorizationRejected: self = .userAuthorizationRejected
        case .targetNotFound: self = .targetNotFound
        case .targetUnavailable: self = .targetUnavailable
        case .rateLimited: self = .rateLimited
        case .platformUnavailable: self = .platformUnavailable
        case .malformedResponse: self = .malformedResponse
        case .requestRejected: self = .requestRejected
        case .destinationRefused: self = .destinationRefused
        case .notSupported: self = .notSupported
        }
    }

    /// The person said no, or took back what they allowed: a new link is what fixes it.
    public var isPersonRefusal: Bool { self == .userDeclined || self == .userAuthorizationRejected }

    /// What a connection's admin fixes (its credentials, permissions or base URL): such failed
    /// syncs go on by themselves once the connection heals.
    public static let fixedWithTheConnection = PlatformFailure.Cause.allCases.filter { $0.fixer == .admin }.map(SyncCause.init)
}
