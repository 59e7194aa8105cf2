import Foundation
import Synchronization
import UserSyncDomain

/// Everything the simulator knows, behind one lock. Handlers take what they need under the lock
/// and render outside it.
final class SimulatorState: Sendable {
    struct Store: Sendable {
        var organizations: [String: SimOrganization] = [:]
        var tokens: [String: SimToken] = [:]
        var refreshTokens: [String: SimRefreshToken] = [:]
        var codes: [String: SimAuthorizationCode] = [:]
        var openIDCodes: [String: SimOpenIDCode] = [:]
        var nextIDTokenFault: IDTokenFault?
        var messages: [SimMessage] = []
        var invitations: [SimInvitation] = []
        var calls: [String: Int] = [:]
        var faults: [FaultRule] = []
        var autoApprove: OAuthDecision?
        var autoApproveLogin: String?
        var random = SystemRandomNumberGenerator()
        var nextFaultID = 1
        var graphDeltaPageSize = 100
        var graphSubscriptions: [String: SimGraphSubscription] = [:]
        var graphNotifications: [SimGraphNotification] = []
        var eventDeliveries: [SimEventDelivery] = []
    }

    let configuration: SimulatorConfiguration
    let cursors: CursorCodec
    let deltaTokens: DeltaTokenCodec
    let deltaRounds = GraphDeltaRoundCache()
    let signingKey: SimSigningKey
    /// Event deliveries in flight, in order per conversation.
    let events = SimEventQueue()
    let store: Mutex<Store>

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.cursors = CursorCodec(lifetime: configuration.cursorLifetime, clock: configuration.now)
        self.deltaTokens = DeltaTokenCodec()
        self.signingKey = SimSigningKey()
        var store = Store()
        store.autoApprove = configuration.autoApprove
        store.graphDeltaPageSize = max(1, configuration.graphDeltaPageSize)
        self.store = Mutex(store)
        for rule in configuration.faults { _ = addFault(rule) }
    }

    // MARK: Organizations

    func createOrganization(name: String, seed: UInt64, size: Int) -> SimOrganizationSummary {
        let organization = Seeder.organization(name: name, seed: seed, size: size)
        return store.withLock { store in
            store.tokens = store.tokens.filter { $0.value.organization != name }
            store.organizations[name] = organization
            let now = configuration.now()
            let c = organization.credentials
            store.tokens[c.slack.botToken] = SimToken(organization: name, platform: .slack, kind: .app, issuedAt: now)
            store.tokens[c.webex.adminToken] = SimToken(organization: name, platform: .webex, kind: .app, issuedAt: now)
            store.tokens[c.webex.botToken] = SimToken(organization: name, platform: .webex, kind: .bot, issuedAt: now)
            return Self.summary(organization)
        }
    }

    func summary(_ name: String) -> SimOrganizationSummary? {
        store.withLock { $0.organizations[name].map(Self.summary) }
    }

    static func summary(_ organization: SimOrganization) -> SimOrganizationSummary {
        var counts: [String: SimCounts] = [:]
        for (platform, directory) in organization.directories { counts[platform.rawValue] = directory.counts }
        return SimOrganizationSummary(
            name: organization.name, seed: organization.seed, size: organization.size,
            credentials: organization.credentials, counts: counts, admins: organization.admins)
    }

    /// Finds the organization whose credentials satisfy `match`.
    func organization(where match: (SimOrganization) -> Bool) -> SimOrganization? {
        store.withLock { store in store.organizations.values.first(where: match) }
    }

    func withOrganization<T>(_ name: String, _ body: (inout SimOrganization) -> T) -> T? {
        store.withLock { store in
            guard store.organizations[name] != nil else { return nil }
            return body(&store.organizations[name]!)
        }
    }

    // MARK: Tokens

    enum AuthFailure: Error { case missing, invalid, expired, revoked }

    /// The token a request carries, if it is live and of an accepted kind for `platform`.
    func authenticate(_ value: String?, platform: Platform, kinds: Set<SimToken.Kind>) -> Result<SimToken, AuthFailure> {
        guard let value, !value.isEmpty else { return .failure(.missing) }
        return store.withLock { store in
            guard let token = store.tokens[value], token.platform == platform, kinds.contains(token.kind) else {
                return .failure(.invalid)
            }
            if token.revoked { return .failure(.revoked) }
            if token.kind != .user, store.organizations[token.organization]?.revoked.contains(platform) == true {
                return .failure(.revoked)
            }
            if let expiresAt = token.expiresAt, expiresAt <= configuration.now() { return .failure(.expired) }
            return .success(token)
        }
    }

    func issueToken(organization: String, platform: Platform, kind: SimToken.Kind, userID: String? = nil, lifetime: Int?) -> String {
        let value = "\(platform.rawValue)-\(kind.rawValue)-" + randomToken()
        let now = configuration.now()
        store.withLock {
            $0.tokens[value] = SimToken(
                organization: organization, platform: platform, kind: kind, userID: userID, issuedAt: now,
                expiresAt: lifetime.map { now.addingTimeInterval(TimeInterval($0)) })
        }
        return value
    }

    func randomToken() -> String {
        store.withLock { store in (0..<4).map { _ in String(store.random.next(), radix: 36) }.joined() }
    }

    // MARK: Calls and faults

    func count(_ platform: Platform, _ endpoint: String, status: Int? = nil) {
        store.withLock { store in
            let key = status.map { "\(platform.rawValue) \(endpoint) \($0)" } ?? "\(platform.rawValue) \(endpoint)"
            store.calls[key, default: 0] += 1
        }
    }

    /// The faults that fire for this call, counted.
    func faults(_ platform: Platform, _ endpoint: String) -> [FaultRule] {
        store.withLock { store in
            var firing: [FaultRule] = []
            for index in store.faults.indices where store.faults[index].matches(platform, endpoint) {
                let roll = Double(store.random.next() >> 11) / Double(1 << 53)
                if store.faults[index].fire(roll: roll) { firing.append(store.faults[index]) }
            }
            return firing
        }
    }

    func addFault(_ rule: FaultRule) -> FaultRule {
        store.withLock { store in
            var rule = rule
            rule.id = rule.id ?? "fault-\(store.nextFaultID)"
            rule.matched = 0
            rule.injected = 0
            store.nextFaultID += 1
            store.faults.append(rule)
            return rule
        }
    }
}
