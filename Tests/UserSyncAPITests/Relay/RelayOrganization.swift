import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting
import UserSyncUseCases

/// One organization the relay suites message through, set up once per suite: the four simulated
/// platforms connected and imported, their event URLs pointing at a live UserSync, and a person in
/// each part a conversation needs (`Role`).
struct RelayOrganization: SuiteTrait, TestScoping {
    enum Role: String, CaseIterable, Sendable {
        /// On Slack only; a guest on Teams, a bot persona on Webex.
        case slackOnly
        /// On Slack only; a guest on Teams, a bot persona on Webex (a second Slack person).
        case slackPeer
        /// On Teams only; a bot persona on Slack and on Webex.
        case teamsOnly
        /// On Webex only; a bot persona on Slack, a guest on Teams.
        case webexOnly
        /// On Zoom only; a bot persona on Slack.
        case zoomOnly
        /// On Slack and Teams, Slack primary; linked their Teams account by consent.
        case slackLinkedToTeams
        /// On Slack and Teams, Teams primary; linked their Slack account by consent.
        case teamsLinkedToSlack
        /// On Slack and Zoom, Slack primary; linked their Zoom account by consent.
        case slackLinkedToZoom
        /// On Slack and Webex, Slack primary; linked their Webex account by consent.
        case slackLinkedToWebex
        /// On Slack only, with no syncs.
        case slackUnsynced
        /// On Teams only, with no syncs.
        case teamsUnsynced
    }

    struct Member: Sendable {
        var person: PersonView
        var id: String { person.id }
        var email: String { person.email }
        var name: String { person.displayName ?? person.email }
        func user(_ platform: Platform) -> String { person.account(on: platform)!.platformUserId }
    }

    struct Fixture: Sendable {
        var api: API
        var organizationID: String
        var connections: [Platform: String]
        var members: [Role: Member]
        func member(_ role: Role) -> Member { members[role]! }
        var simulator: PlatformSimulator { api.simulator }
    }

    @TaskLocal static var current: Fixture?

    /// The syncs each part gets, per secondary platform, and whether it is answered by consent.
    static let syncs: [Role: [Platform]] = [
        .slackOnly: [.teams, .webex], .slackPeer: [.teams, .webex], .teamsOnly: [.slack, .webex], .webexOnly: [.slack, .teams],
        .zoomOnly: [.slack], .slackLinkedToTeams: [.teams], .teamsLinkedToSlack: [.slack], .slackLinkedToZoom: [.zoom],
        .slackLinkedToWebex: [.webex],
    ]
    static let primaries: [Role: Platform] = [
        .slackLinkedToTeams: .slack, .teamsLinkedToSlack: .teams, .slackLinkedToZoom: .slack, .slackLinkedToWebex: .slack,
    ]

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withoutActuallyEscaping(function) { function in
            try await withSimulatedAPI(organizations: [("acme", 120)], sync: relaySyncSettings(), live: true) { api in
                let fixture = try await Self.build(api)
                try await Self.$current.withValue(fixture) { try await function() }
            }
        }
    }

    static func build(_ api: API) async throws -> Fixture {
        let organization = try await api.createOrganization("acme")
        let connections = try await api.connectAndImportAll().connections
        let people = try await api.personViews().sorted { $0.email < $1.email }
        var cast: [Role: PersonView] = [:]
        func pick(_ role: Role, on platforms: Set<Platform>) throws {
            let taken = Set(cast.values.map(\.id))
            cast[role] = try #require(
                people.first { person in
                    !taken.contains(person.id) && person.accounts.count == platforms.count && Set(person.accounts.map(\.platform)) == platforms
                        && person.accounts.allSatisfy { $0.active && !$0.guest }
                }, "nobody in the simulated organization can play \(role)")
        }
        for role in [Role.slackOnly, .slackPeer, .slackUnsynced] { try pick(role, on: [.slack]) }
        for role in [Role.teamsOnly, .teamsUnsynced] { try pick(role, on: [.teams]) }
        try pick(.webexOnly, on: [.webex])
        try pick(.zoomOnly, on: [.zoom])
        for role in [Role.slackLinkedToTeams, .teamsLinkedToSlack] { try pick(role, on: [.slack, .teams]) }
        try pick(.slackLinkedToZoom, on: [.slack, .zoom])
        try pick(.slackLinkedToWebex, on: [.slack, .webex])

        for (role, platform) in primaries {
            let chosen = try await api.call(.put, "/v1/orgs/acme/people/\(cast[role]!.id)/primary", json: #"{"platform":"\#(platform.rawValue)"}"#)
            try #require(chosen.status == .ok, "\(role): \(chosen.text)")
        }
        for (role, platforms) in syncs {
            for platform in platforms {
                let reply = try await api.call(
                    .post, "/v1/orgs/acme/people/\(cast[role]!.id)/syncs", json: #"{"connection_id":"\#(connections[platform]!)"}"#)
                try #require(reply.status == .created, "\(role) onto \(platform): \(reply.text)")
            }
        }
        try await api.waitForSyncsToSettle()
        // The linked parts answer their consent prompt, which arrives on their primary platform.
        for role in primaries.keys {
            let person = cast[role]!, home = primaries[role]!, secondary = syncs[role]![0]
            let to = try #require(person.account(on: home)?.platformUserId)
            let link = try #require(api.simulator.messages(organization: "acme").first { $0.to == to }?.link, "\(role) got no prompt")
            let page = try await api.answerConsent(link, login: try #require(person.account(on: secondary)?.platformUserId))
            try #require(page.status == .ok, "\(role): \(page.status) \(page.text.prefix(600))")
        }
        var members: [Role: Member] = [:]
        for role in Role.allCases {
            let person = try await api.personView(cast[role]!.id)
            for platform in syncs[role] ?? [] {
                try #require(person.syncs.first { $0.platform == platform }?.status == "synced", "\(role) is not synced onto \(platform)")
            }
            members[role] = Member(person: person)
        }

        // Each platform sends the connection's events to the live service.
        let base = "http://localhost:\(try #require(api.client.port))"
        for platform in [Platform.slack, .teams, .zoom] {
            let url = "\(base)/events/\(platform.rawValue)/\(organization.id)/\(connections[platform]!)"
            try await api.simulator.setEventURL(organization: "acme", platform: platform, url: url, simulatorURL: try #require(api.platforms).baseURL)
        }
        // Webex's webhooks are registered by UserSync itself: the bot's when the connection is
        // made, a linked person's (with their token) when they link their account.
        try #require(
            try await eventually(.seconds(60), "the relay's Webex webhooks are registered") {
                Set(api.simulator.webexWebhooks(organization: "acme").map(\.owner)).count == 2
            })
        return Fixture(api: api, organizationID: organization.id, connections: connections, members: members)
    }
}

extension Trait where Self == RelayOrganization {
    /// Runs the suite against one organization set up for messaging across platforms.
    static var relayOrganization: Self { Self() }
}

/// Sync settings for relay suites: short retries, so redeliveries are quick.
func relaySyncSettings() -> SyncSettings {
    var settings = testSyncSettings()
    settings.relay.retryBaseDelay = .milliseconds(200)
    settings.relay.maxRetryDelay = .seconds(1)
    return settings
}
