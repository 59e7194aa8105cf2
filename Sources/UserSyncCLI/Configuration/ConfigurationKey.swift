/// Every environment variable UserSync reads. The README documents each; a test holds the README
/// and `docker/compose.yaml` to this list.
public enum ConfigurationKey: String, CaseIterable, Sendable {
    case databaseURL = "DATABASE_URL"
    case databaseOwnerURL = "DATABASE_OWNER_URL"
    case databasePoolSize = "DATABASE_POOL_SIZE"
    case httpHost = "USERSYNC_HTTP_HOST"
    case httpPort = "USERSYNC_HTTP_PORT"
    case maxBodyBytes = "USERSYNC_MAX_BODY_BYTES"
    case httpIdleTimeoutSeconds = "USERSYNC_HTTP_IDLE_TIMEOUT_SECONDS"
    case httpRequestTimeoutSeconds = "USERSYNC_HTTP_REQUEST_TIMEOUT_SECONDS"
    case httpMaxConnections = "USERSYNC_HTTP_MAX_CONNECTIONS"
    case rateLimitPerSecond = "USERSYNC_RATE_LIMIT_PER_SECOND"
    case rateLimitBurst = "USERSYNC_RATE_LIMIT_BURST"
    case operatorToken = "USERSYNC_OPERATOR_TOKEN"
    case encryptionKeys = "USERSYNC_ENCRYPTION_KEYS"
    case logLevel = "USERSYNC_LOG_LEVEL"
    case sqlDirectory = "USERSYNC_SQL_DIR"
    case workerConcurrency = "USERSYNC_WORKER_CONCURRENCY"
    case workerBatchSize = "USERSYNC_WORKER_BATCH_SIZE"
    case workerLeaseSeconds = "USERSYNC_WORKER_LEASE_SECONDS"
    case workerPollMilliseconds = "USERSYNC_WORKER_POLL_INTERVAL_MS"
    case workerGraceSeconds = "USERSYNC_WORKER_GRACE_PERIOD_SECONDS"
    case jobRetentionHours = "USERSYNC_JOB_RETENTION_HOURS"
    case workerMetricsPort = "USERSYNC_WORKER_METRICS_PORT"
    case autoSyncPollSeconds = "USERSYNC_AUTO_SYNC_POLL_SECONDS"
    case autoSyncSweepSeconds = "USERSYNC_AUTO_SYNC_SWEEP_SECONDS"
    case autoSyncNotifications = "USERSYNC_AUTO_SYNC_NOTIFICATIONS"
    case platformTimeoutSeconds = "USERSYNC_PLATFORM_TIMEOUT_SECONDS"
    case platformPacing = "USERSYNC_PLATFORM_PACING"
    case allowInsecurePlatformURLs = "USERSYNC_ALLOW_INSECURE_PLATFORM_URLS"
    case allowInternalPlatformAddresses = "USERSYNC_ALLOW_INTERNAL_PLATFORM_ADDRESSES"
    case platformHosts = "USERSYNC_PLATFORM_HOSTS"
    case slackHosts = "USERSYNC_PLATFORM_HOSTS_SLACK"
    case teamsHosts = "USERSYNC_PLATFORM_HOSTS_TEAMS"
    case zoomHosts = "USERSYNC_PLATFORM_HOSTS_ZOOM"
    case webexHosts = "USERSYNC_PLATFORM_HOSTS_WEBEX"
    case botFrameworkOpenIDURL = "USERSYNC_BOT_FRAMEWORK_OPENID_URL"
    case teamsChatSubscriptionResource = "USERSYNC_TEAMS_CHAT_SUBSCRIPTION_RESOURCE"
    case connectionRecheckSeconds = "USERSYNC_CONNECTION_RECHECK_SECONDS"
    case publicURL = "USERSYNC_PUBLIC_URL"
    case consentLinkHours = "USERSYNC_CONSENT_LINK_HOURS"
    case repromptIntervalMinutes = "USERSYNC_REPROMPT_INTERVAL_MINUTES"
    case userTokenCheckHours = "USERSYNC_USER_TOKEN_CHECK_HOURS"
    case slackSignInClientID = "USERSYNC_SLACK_SIGN_IN_CLIENT_ID"
    case slackSignInClientSecret = "USERSYNC_SLACK_SIGN_IN_CLIENT_SECRET"
    case slackSignInIssuer = "USERSYNC_SLACK_SIGN_IN_ISSUER"
    case microsoftSignInClientID = "USERSYNC_MICROSOFT_SIGN_IN_CLIENT_ID"
    case microsoftSignInClientSecret = "USERSYNC_MICROSOFT_SIGN_IN_CLIENT_SECRET"
    case microsoftSignInAuthority = "USERSYNC_MICROSOFT_SIGN_IN_AUTHORITY"
    case microsoftAdminRoles = "USERSYNC_MICROSOFT_ADMIN_ROLES"
    case consoleIdleMinutes = "USERSYNC_CONSOLE_IDLE_MINUTES"
    case consoleSessionHours = "USERSYNC_CONSOLE_SESSION_HOURS"
    case invitationDays = "USERSYNC_INVITATION_DAYS"
    case keyCacheSeconds = "USERSYNC_KEY_CACHE_SECONDS"

    /// Values that must never be printed, not even in an error about them.
    var isSecret: Bool {
        switch self {
        case .databaseURL, .databaseOwnerURL, .operatorToken, .encryptionKeys, .slackSignInClientSecret, .microsoftSignInClientSecret: true
        default: false
        }
    }
}
