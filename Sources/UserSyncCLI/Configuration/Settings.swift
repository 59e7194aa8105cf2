import Foundation
import Logging
import NIOCore
import UserSyncAPI
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets
import UserSyncUseCases
import UserSyncWorker

/// The database a role connects to.
public struct DatabaseSettings: Sendable {
    public var url: DatabaseURL
    public var poolSize: Int

    /// The service role's database (`DATABASE_URL`).
    static func service(_ reader: inout EnvironmentReader) -> DatabaseSettings? {
        let poolSize = reader.integer(.databasePoolSize, default: 10, range: 1...500)
        return reader.databaseURL(.databaseURL).map { DatabaseSettings(url: $0, poolSize: poolSize) }
    }

    /// The schema owner's database, for `migrate` (`DATABASE_OWNER_URL`, else `DATABASE_URL`).
    static func owner(_ reader: inout EnvironmentReader) -> DatabaseSettings? {
        reader.databaseURL(.databaseOwnerURL, fallback: .databaseURL).map { DatabaseSettings(url: $0, poolSize: 2) }
    }
}

/// How `serve` and `work` talk to the chat platforms.
public struct PlatformSettings: Sendable {
    public var connectors: ConnectorSettings
    /// When a connection that needs attention is first re-checked.
    public var recheckDelay: Duration
    /// How long the relay serves a connection it read from memory (0: every event and message
    /// reads the database).
    public var connectionCacheLifetime: Int

    init(_ reader: inout EnvironmentReader, interactive: Bool) {
        var connectors = ConnectorSettings()
        connectors.requestTimeout = .seconds(reader.integer(.platformTimeoutSeconds, default: 30, range: 1...600))
        if interactive {
            // An admin is waiting on the answer: fail fast rather than retry for a minute.
            connectors.maxAttempts = 2
            connectors.maxInlineRetryAfter = .seconds(5)
        }
        switch reader.string(.platformPacing, default: "default")! {
        case "default": break
        case "off": for platform in Platform.allCases { connectors.pacing[platform] = .unlimited }
        default: reader.problem(.platformPacing, "must be 'default' or 'off'")
        }
        connectors.outbound = OutboundGuard(policy: Self.outboundPolicy(&reader))
        connectors.botFrameworkOpenIDURL = reader.string(.botFrameworkOpenIDURL, default: connectors.botFrameworkOpenIDURL)!
        connectors.teamsChatSubscriptionResource =
            reader.string(.teamsChatSubscriptionResource, default: connectors.teamsChatSubscriptionResource)!
        self.connectors = connectors
        recheckDelay = .seconds(reader.integer(.connectionRecheckSeconds, default: 60, range: 1...86_400))
        connectionCacheLifetime = reader.integer(.connectionCacheSeconds, default: 30, range: 0...3_600)
    }
}

extension PlatformSettings {
    /// Where platform requests may go: per platform, `USERSYNC_PLATFORM_HOSTS_<PLATFORM>` replaces
    /// the public defaults, and `USERSYNC_PLATFORM_HOSTS` adds hosts for every platform (e.g.
    /// the simulator's `127.0.0.1:8090`).
    static func outboundPolicy(_ reader: inout EnvironmentReader) -> OutboundHostPolicy {
        let keys: [Platform: ConfigurationKey] = [.slack: .slackHosts, .teams: .teamsHosts, .zoom: .zoomHosts, .webex: .webexHosts]
        let everyPlatform = hostPatterns(.platformHosts, &reader) ?? []
        var hosts = OutboundHostPolicy.publicHosts
        for (platform, key) in keys {
            hosts[platform] = (hostPatterns(key, &reader) ?? hosts[platform] ?? []) + everyPlatform
        }
        return OutboundHostPolicy(
            hosts: hosts, allowsInsecure: reader.boolean(.allowInsecurePlatformURLs, default: false),
            allowsInternalAddresses: reader.boolean(.allowInternalPlatformAddresses, default: false))
    }

    private static func hostPatterns(_ key: ConfigurationKey, _ reader: inout EnvironmentReader) -> [HostPattern]? {
        guard let text = reader.raw(key) else { return nil }
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let patterns = items.compactMap(HostPattern.init)
        guard patterns.count == items.count else {
            reader.problem(key, "must be a comma-separated list of hosts (slack.com, *.example.com, 127.0.0.1:8090, [::1])")
            return nil
        }
        return patterns
    }

    /// `USERSYNC_MICROSOFT_ADMIN_ROLES`: the Entra role template ids that make an account an admin
    /// who may sign in to the console.
    mutating func readAdminRoles(_ reader: inout EnvironmentReader) {
        guard let text = reader.raw(.microsoftAdminRoles) else { return }
        let ids = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !ids.isEmpty, ids.allSatisfy({ UUID(uuidString: $0) != nil }) else {
            return reader.problem(.microsoftAdminRoles, "must be a comma-separated list of role template ids (GUIDs)")
        }
        connectors.adminRoleTemplateIDs = Set(ids)
    }
}

extension SyncSettings {
    /// Consent links and checks of people's tokens, for `serve` (links' pages) and `work` (prompts).
    /// `host` and `port` are where `serve` listens: the default public URL.
    static func read(_ reader: inout EnvironmentReader, host: String, port: Int) -> SyncSettings {
        let url = reader.string(.publicURL, default: "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)")!
        if URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true || URL(string: url)?.host == nil {
            reader.problem(.publicURL, "must be the absolute http(s) URL people reach the service at, e.g. https://usersync.example.com")
        }
        var settings = SyncSettings(publicURL: url)
        settings.consentLinkLifetime = .seconds(3_600 * reader.integer(.consentLinkHours, default: 72, range: 1...720))
        settings.repromptInterval = .seconds(60 * reader.integer(.repromptIntervalMinutes, default: 60, range: 0...10_080))
        settings.tokenCheckInterval = .seconds(3_600 * reader.integer(.userTokenCheckHours, default: 24, range: 1...720))
        // Graph only delivers to https: on by default when the public URL is https.
        settings.graphNotifications = reader.boolean(.autoSyncNotifications, default: url.hasPrefix("https://"))
        return settings
    }
}

/// The console: session lifetimes, invitation links and the identity providers admins sign in with.
public struct ConsoleConfiguration: Sendable {
    public var settings: ConsoleSettings
    public var slack: (clientID: String, clientSecret: String, issuer: String)?
    public var microsoft: (clientID: String, clientSecret: String, authority: String)?

    init(_ reader: inout EnvironmentReader, publicURL: String) {
        var settings = ConsoleSettings(publicURL: publicURL)
        settings.idleTimeout = .seconds(60 * reader.integer(.consoleIdleMinutes, default: 30, range: 1...1_440))
        settings.sessionLifetime = .seconds(3_600 * reader.integer(.consoleSessionHours, default: 12, range: 1...720))
        settings.invitationLifetime = .seconds(86_400 * reader.integer(.invitationDays, default: 7, range: 1...90))
        self.settings = settings
        slack = Self.provider(&reader, .slackSignInClientID, .slackSignInClientSecret, .slackSignInIssuer, default: "https://slack.com")
            .map { (clientID: $0.0, clientSecret: $0.1, issuer: $0.2) }
        microsoft = Self.provider(
            &reader, .microsoftSignInClientID, .microsoftSignInClientSecret, .microsoftSignInAuthority,
            default: "https://login.microsoftonline.com/organizations/v2.0"
        ).map { (clientID: $0.0, clientSecret: $0.1, authority: $0.2) }
    }

    /// A provider is set up when its client id is set; its secret is then required.
    private static func provider(
        _ reader: inout EnvironmentReader, _ id: ConfigurationKey, _ secret: ConfigurationKey, _ baseKey: ConfigurationKey, default url: String
    ) -> (String, String, String)? {
        let base = reader.string(baseKey, default: url)!
        if URL(string: base)?.scheme.map({ ["http", "https"].contains($0) }) != true || URL(string: base)?.host == nil {
            reader.problem(baseKey, "must be an absolute http(s) URL, e.g. \(url)")
        }
        guard let clientID = reader.raw(id), !clientID.isEmpty else { return nil }
        guard let clientSecret = reader.string(secret, hint: "the client secret of the same app") else { return nil }
        return (clientID, clientSecret, base)
    }
}

/// What `usersync serve` needs.
public struct ServeSettings: Sendable {
    public var database: DatabaseSettings
    public var host: String
    public var port: Int
    public var maxBodyBytes: Int
    public var operatorToken: String
    public var secrets: SecretBox
    public var platforms: PlatformSettings
    public var sync: SyncSettings
    public var console: ConsoleConfiguration
    /// How long an admitted API key is served from memory (0: every request reads the database).
    public var keyCacheLifetime: Int
    public var http: HTTPServerLimits
    /// Requests per API key and per SCIM token (nil: unlimited).
    public var rateLimit: RequestRateLimit?
    /// Stop once this process id is no longer the parent (``ParentWatch``).
    public var parentPID: Int32?

    public init(_ reader: inout EnvironmentReader) throws {
        let database = DatabaseSettings.service(&reader)
        UserSyncCommand.checkEventLoopExecutor(&reader)
        keyCacheLifetime = reader.integer(.keyCacheSeconds, default: 30, range: 0...3_600)
        let host = reader.string(.httpHost, default: "127.0.0.1")!
        let port = reader.integer(.httpPort, default: 8080, range: 0...65535)
        let maxBodyBytes = reader.integer(.maxBodyBytes, default: 1 << 20, range: 1024...(64 << 20))
        let token = reader.string(.operatorToken, hint: "generate one with `openssl rand -hex 32`")
        if let token, token.count < 32 {
            reader.problem(.operatorToken, "must be at least 32 characters (generate one with `openssl rand -hex 32`)")
        }
        let secrets = Self.secretBox(&reader)
        platforms = PlatformSettings(&reader, interactive: true)
        sync = SyncSettings.read(&reader, host: host, port: port)
        console = ConsoleConfiguration(&reader, publicURL: sync.publicURL)
        platforms.readAdminRoles(&reader)
        http = HTTPServerLimits(
            idleTimeout: .seconds(reader.integer(.httpIdleTimeoutSeconds, default: 60, range: 1...3_600)),
            requestTimeout: .seconds(reader.integer(.httpRequestTimeoutSeconds, default: 30, range: 1...3_600)),
            maxConnections: reader.integer(.httpMaxConnections, default: 1_000, range: 1...100_000))
        let perSecond = reader.integer(.rateLimitPerSecond, default: 50, range: 0...100_000)
        let burst = reader.integer(.rateLimitBurst, default: 200, range: 1...100_000)
        rateLimit = perSecond == 0 ? nil : RequestRateLimit(perSecond: Double(perSecond), burst: burst)
        parentPID = ParentWatch.parent(&reader)
        try reader.validate()
        self.database = database!
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.operatorToken = token!
        self.secrets = secrets!
    }

    /// `USERSYNC_ENCRYPTION_KEYS`: `id:base64,id:base64`, the first seals, all open.
    static func secretBox(_ reader: inout EnvironmentReader) -> SecretBox? {
        guard let text = reader.string(.encryptionKeys, hint: "id:base64 of 32 random bytes, e.g. k1:$(openssl rand -base64 32)") else {
            return nil
        }
        do {
            let keys = try text.split(separator: ",").map { entry -> SecretBox.Key in
                let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let material = Data(base64Encoded: String(parts[1])) else {
                    throw ConfigurationError(problems: ["must be a comma-separated list of id:base64-key"])
                }
                return try SecretBox.Key(id: String(parts[0]), material: material)
            }
            return try SecretBox(keys: keys)
        } catch let error as ConfigurationError {
            reader.problem(.encryptionKeys, error.problems[0])
        } catch {
            reader.problem(.encryptionKeys, "is invalid: \(error)")
        }
        return nil
    }
}

/// What `usersync work` needs.
public struct WorkSettings: Sendable {
    public var database: DatabaseSettings
    public var worker: WorkerSettings
    /// Where `/metrics` and `/healthz` are served (on `USERSYNC_HTTP_HOST`); 0 serves nothing.
    public var metricsHost: String
    public var metricsPort: Int
    public var secrets: SecretBox
    public var platforms: PlatformSettings
    public var sync: SyncSettings
    public var autoSync: AutoSyncSettings
    /// Stop once this process id is no longer the parent (``ParentWatch``).
    public var parentPID: Int32?
    /// The nice value the process's threads run at, at least (``ProcessPriority``).
    public var nice: Int32

    public init(_ reader: inout EnvironmentReader) throws {
        let database = DatabaseSettings.service(&reader)
        UserSyncCommand.checkEventLoopExecutor(&reader)
        nice = Int32(reader.integer(.workerNice, default: 0, range: 0...19))
        var autoSync = AutoSyncSettings()
        autoSync.pollInterval = .seconds(reader.integer(.autoSyncPollSeconds, default: 300, range: 10...86_400))
        autoSync.sweepInterval = .seconds(reader.integer(.autoSyncSweepSeconds, default: 15, range: 1...3_600))
        self.autoSync = autoSync
        var worker = WorkerSettings()
        worker.concurrency = reader.integer(.workerConcurrency, default: worker.concurrency, range: 1...1_000)
        worker.databaseConcurrency = min(
            reader.integer(.workerDatabaseConcurrency, default: worker.databaseConcurrency, range: 1...1_000), worker.concurrency)
        worker.lanes = min(reader.integer(.workerLanes, default: System.coreCount, range: 1...64), worker.concurrency)
        worker.batchSize = reader.integer(.workerBatchSize, default: worker.batchSize, range: 1...1_000)
        worker.lease = .seconds(reader.integer(.workerLeaseSeconds, default: 20, range: 3...3_600))
        worker.pollInterval = .milliseconds(reader.integer(.workerPollMilliseconds, default: 1_000, range: 10...60_000))
        worker.gracePeriod = .seconds(reader.integer(.workerGraceSeconds, default: 30, range: 0...3_600))
        worker.retention = .seconds(3_600 * reader.integer(.jobRetentionHours, default: 168, range: 1...87_600))
        metricsHost = reader.string(.httpHost, default: "127.0.0.1")!
        metricsPort = reader.integer(.workerMetricsPort, default: 9091, range: 0...65535)
        let secrets = ServeSettings.secretBox(&reader)
        platforms = PlatformSettings(&reader, interactive: false)
        // The API's address, for the default public URL of consent links.
        sync = SyncSettings.read(&reader, host: metricsHost, port: reader.integer(.httpPort, default: 8080, range: 0...65535))
        parentPID = ParentWatch.parent(&reader)
        try reader.validate()
        self.secrets = secrets!
        self.database = database!
        // The pool serves the claim loop, the listener, lease extension, outcomes and the reaper,
        // of every lane.
        self.database.poolSize = max(self.database.poolSize, min(worker.concurrency, 50) + 4 * worker.lanes)
        self.worker = worker
    }

    /// Lane `index`'s share of the pool.
    public func poolSize(lane index: Int) -> Int {
        WorkerSettings.share(of: database.poolSize, lanes: worker.lanes, lane: index)
    }
}
