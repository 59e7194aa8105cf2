import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

extension UserSyncScenarioTests {
    /// An organization with the four platforms connected and imported, and every person's primary
    /// chosen (Slack first).
    static func setUp(_ api: API) async throws -> Connected {
        try await api.createOrganization("acme")
        let connected = try await api.connectAndImportAll()
        try await api.choosePrimaries(order: [.slack, .teams, .webex, .zoom])
        return connected
    }

    /// Whether a person has an account on `platform`, and whether it is active: what decides a sync's mode.
    enum Presence { case active, deactivated, none }

    static func presence(_ person: PersonView, _ platform: Platform) -> Presence {
        if person.activePlatforms.contains(platform) { return .active }
        return person.accountPlatforms.contains(platform) ? .deactivated : .none
    }

    static func people(_ api: API, where matches: (PersonView) -> Bool) async throws -> [PersonView] {
        try await api.personViews().filter(matches)
    }

    /// Starts one person's sync; returns its id.
    static func startSync(
        _ api: API, person: String, onto connection: String, token: String = operatorToken, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let reply = try await api.call(.post, "/v1/orgs/acme/people/\(person)/syncs", token: token, json: #"{"connection_id":"\#(connection)"}"#)
        #expect(reply.status == .created, "\(reply.text)", sourceLocation: sourceLocation)
        return try reply.decode(SyncView.self).id
    }

    static func health(_ api: API, _ connection: String) async throws -> ConnectionView.Health {
        try await api.call(.get, "/v1/orgs/acme/connections/\(connection)").decode(ConnectionView.self).health
    }

    static func history(_ sync: SyncView) -> [SyncEventView] { sync.history ?? [] }

    /// The audit log's entries for `query` (one page of up to 200), newest first.
    static func audit(_ api: API, _ query: String, token: String = operatorToken) async throws -> [AuditEntryView] {
        let reply = try await api.call(.get, "/v1/orgs/acme/audit?limit=200&\(query)", token: token)
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(Page<AuditEntryView>.self).items
    }

    /// The prompts the person received on their primary platform, oldest first.
    static func prompts(_ api: API, to person: PersonView) -> [SimMessage] {
        guard let primary = person.primaryPlatform else { return [] }
        let home = person.account(on: primary)
        return api.simulator.messages(organization: "acme").filter { $0.platform == primary && $0.to == home?.platformUserId }
    }

    static func path(_ link: String) -> String { String(link.dropFirst("http://usersync.test".count)) }

    /// Opens a consent link and allows at the simulated platform as `login`, like a browser;
    /// returns the path of the service's callback the platform redirects to, not yet followed.
    static func authorize(_ api: API, link: String, login: String) async throws -> String {
        let opened = try await api.call(.get, path(link), token: nil)
        #expect(opened.status == .found, "\(opened.text)")
        return try await api.signIn(at: try #require(opened.headers[.location]), login: login)
    }
}
