import Foundation
import HTTPTypes
import Hummingbird
import Logging
import UserSyncDomain

/// The platform simulator: Slack, Microsoft Graph/Teams (with the identity platform and the Bot
/// Connector), Zoom and Webex on one HTTP server, each at its documented paths, plus a control
/// API. Used by the tests, the benchmark and the demo; never linked into `usersync`.
public struct PlatformSimulator: Sendable {
    let state: SimulatorState

    public init(configuration: SimulatorConfiguration = SimulatorConfiguration()) {
        state = SimulatorState(configuration: configuration)
    }

    public var configuration: SimulatorConfiguration { state.configuration }

    /// Seeds (or re-seeds) an organization. The same name, seed and size give the same organization.
    @discardableResult
    public func createOrganization(name: String, seed: UInt64 = 1, size: Int) -> SimOrganizationSummary {
        state.createOrganization(name: name, seed: seed, size: size)
    }

    public func summary(organization: String) -> SimOrganizationSummary? { state.summary(organization) }

    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let http = SimHTTP(state: state)
        let oauth = SimOAuth(state: state)
        let openID = SimOpenID(state: state)
        SlackSimulator(http: http, oauth: oauth, openID: SlackOpenID(http: http, openID: openID)).register(router)
        GraphSimulator(http: http, oauth: oauth, openID: MicrosoftOpenID(http: http, openID: openID)).register(router)
        ZoomSimulator(http: http, oauth: oauth).register(router)
        WebexSimulator(http: http, oauth: oauth).register(router)
        ControlRoutes(simulator: self).register(router)
        HomePage(simulator: self).register(router)
        return router
    }

    public func buildApplication(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        Application(
            router: buildRouter(), configuration: .init(address: .hostname(host, port: port), serverName: "usersync-simulator"), logger: logger)
    }

    // MARK: Inspection

    public func messages(organization: String) -> [SimMessage] {
        state.store.withLock { $0.messages.filter { $0.organization == organization } }
    }

    public func invitations(organization: String) -> [SimInvitation] {
        state.store.withLock { $0.invitations.filter { $0.organization == organization } }
    }

    public func tokens(organization: String) -> [SimTokenSummary] {
        state.store.withLock { store in
            store.tokens.values.filter { $0.organization == organization }.sorted { $0.issuedAt < $1.issuedAt }.map {
                SimTokenSummary(
                    platform: $0.platform, kind: $0.kind.rawValue, userID: $0.userID, issuedAt: $0.issuedAt, expiresAt: $0.expiresAt,
                    revoked: $0.revoked)
            }
        }
    }

    /// Calls per `"<platform> <endpoint>"`, and per `"<platform> <endpoint> <status>"`.
    public func calls() -> [String: Int] { state.store.withLock { $0.calls } }

    public func calls(_ platform: Platform, _ endpoint: String, status: Int? = nil) -> Int {
        let key = status.map { "\(platform.rawValue) \(endpoint) \($0)" } ?? "\(platform.rawValue) \(endpoint)"
        return state.store.withLock { $0.calls[key] ?? 0 }
    }

    /// Seeded people (accounts grouped by normalized address), for tests to pick from.
    public func people(organization: String, offset: Int = 0, limit: Int = 100) -> [SimPerson]? {
        guard let organization = state.store.withLock({ $0.organizations[organization] }) else { return nil }
        var order: [String] = []
        var grouped: [String: [SimPerson.Account]] = [:]
        for platform in Platform.allCases {
            let directory = organization.directory(platform)
            for account in directory.accounts where !account.removed && !account.bot {
                guard let email = account.primaryEmail.map(normalize) else { continue }
                if grouped[email] == nil { order.append(email) }
                grouped[email, default: []].append(
                    .init(
                        platform: platform, id: account.id, emails: account.emails, active: account.active, pending: account.pending,
                        guest: account.guest, teams: account.teams.map { directory.teams[$0].id }))
            }
        }
        return order.dropFirst(offset).prefix(limit).map { SimPerson(email: $0, accounts: grouped[$0] ?? []) }
    }

    // MARK: Control

    @discardableResult
    public func addFault(_ rule: FaultRule) -> FaultRule { state.addFault(rule) }

    public func clearFaults() { state.store.withLock { $0.faults = [] } }

    public func setAutoApprove(_ decision: OAuthDecision?, login: String? = nil) {
        state.store.withLock {
            $0.autoApprove = decision
            $0.autoApproveLogin = login
        }
    }

    /// Revokes a platform's app credentials for an organization (every app token and the client
    /// secret stop working), or one user's tokens when `userID` is given.
    public func revoke(organization: String, platform: Platform, userID: String? = nil) -> Bool {
        state.store.withLock { store in
            guard store.organizations[organization] != nil else { return false }
            if let userID {
                for (value, token) in store.tokens where token.organization == organization && token.platform == platform && token.userID == userID {
                    store.tokens[value]?.revoked = true
                }
                for (value, token) in store.refreshTokens
                where token.organization == organization && token.platform == platform && token.userID == userID {
                    store.refreshTokens[value]?.revoked = true
                }
            } else {
                store.organizations[organization]?.revoked.insert(platform)
            }
            return true
        }
    }

    public func restore(organization: String, platform: Platform) {
        _ = state.withOrganization(organization) { $0.revoked.remove(platform) }
    }

    /// Adds a user upstream, as if hired; returns its platform id.
    public func addUser(organization: String, platform: Platform, email: String, displayName: String?) -> String? {
        state.withOrganization(organization) { organization in
            var random = SeededRandom(seed: stableHash(email + platform.rawValue))
            let name = displayName ?? email
            let parts = name.split(separator: " ")
            let account = SimAccount(
                id: Seeder.accountID(platform, &random), emails: [email], firstName: parts.first.map(String.init) ?? name,
                lastName: parts.dropFirst().joined(separator: " "), displayName: name)
            organization.directories[platform]?.append(account)
            return account.id
        }
    }

    /// Changes a user upstream: a new address or name, deactivation, or removal.
    public func changeUser(organization: String, platform: Platform, id: String, _ change: SimUserChange) -> Bool {
        state.withOrganization(organization) { organization -> Bool in
            guard let index = organization.directories[platform]?.accountIndex[id] else { return false }
            if let email = change.email { organization.directories[platform]?.setEmails([email], of: index) }
            if let name = change.displayName { organization.directories[platform]?.accounts[index].displayName = name }
            if let active = change.active { organization.directories[platform]?.accounts[index].active = active }
            if let removed = change.removed {
                // On Teams a deleted (or restored) user leaves (or rejoins) its Entra groups.
                if platform == .teams {
                    organization.setTeamsAccountRemoved(index, removed: removed)
                } else {
                    organization.directories[platform]?.accounts[index].removed = removed
                }
            }
            return true
        } ?? false
    }
}
