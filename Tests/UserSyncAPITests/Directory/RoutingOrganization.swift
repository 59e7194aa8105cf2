import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// The one organization `RoutingTests` asks its routes of, set up once for the whole suite: four
/// platforms imported, and a person in every state a route depends on (see `Role`).
struct RoutingOrganization: SuiteTrait, TestScoping {
    /// The people of the organization, by the part they play in the routing table.
    enum Role: String, CaseIterable, Sendable {
        /// On Slack only. A guest on Teams (synced); a sync onto Zoom failed (no account there).
        case slackOnly
        /// On Slack only, with the same syncs as `slackOnly`.
        case slackPeer
        /// On Slack only, with no syncs.
        case slackUnsynced
        /// On Teams only. A bot persona on Slack (synced).
        case teamsOnly
        /// On Teams only, with no syncs.
        case teamsUnsynced
        /// On Zoom only. A bot persona on Slack (synced).
        case zoomOnly
        /// On Slack and Teams, Slack primary; linked their Teams account by consent (synced).
        case linked
        /// On Slack and Teams, Slack primary; has not answered the Teams consent prompt (pending).
        case awaitingConsent
        /// On Slack and Teams, Slack primary; declined at Teams (failed).
        case declined
        /// On Slack and Teams, Teams primary; has not answered the Slack consent prompt (pending).
        case teamsHome
        /// On Slack and Teams, Slack primary; linked their Teams account, which was deactivated since.
        case linkedThenDeactivated
        /// On Slack and Teams, Teams primary; linked their Slack account, which was deactivated since.
        case reachedThroughDeactivatedLink
        /// Active on several platforms; nobody chose their primary.
        case undecided
        /// On Slack only, and deactivated there after the first import.
        case deactivated
    }

    /// A person as the API shows them once the organization is set up.
    struct Member: Sendable {
        struct Account: Sendable {
            var id: String
            var platformUserID: String
            var active: Bool
        }

        struct Sync: Sendable, Equatable, CustomStringConvertible {
            var status: String
            var cause: String?
            var mode: String?
            var virtualKind: String?
            var virtualIdentity: String?
            var linkedAccountID: String?
            /// How `RoutingOrganization.syncs` states it: how a synced one is synced, else why not.
            var description: String {
                status == "synced" ? "synced \(mode ?? "-") \(virtualKind ?? "-")" : "\(status) \(cause ?? "-")"
            }
        }

        var id: String
        var email: String
        var displayName: String
        var accounts: [Platform: Account]
        var syncs: [Platform: Sync]
    }

    struct Fixture: Sendable {
        var api: API
        var connections: [Platform: String]
        var members: [Role: Member]
        var viewerKey: String
        /// An admin key of another organization, `globex`.
        var otherOrganizationKey: String

        func member(_ role: Role) -> Member { members[role]! }
    }

    @TaskLocal static var current: Fixture?

    /// The syncs each part is set up with, per secondary platform: how it is synced, or its status
    /// and cause. The suite checks them before any route, so no routing case rests on a setup that
    /// drifted.
    static let syncs: [Role: [Platform: String]] = [
        .slackOnly: [.teams: "synced virtual guest", .zoom: "failed secondary_account_required"],
        .slackPeer: [.teams: "synced virtual guest", .zoom: "failed secondary_account_required"],
        .teamsOnly: [.slack: "synced virtual bot_persona"],
        .zoomOnly: [.slack: "synced virtual bot_persona"],
        .linked: [.teams: "synced link -"],
        .awaitingConsent: [.teams: "pending awaiting_user_consent"],
        .declined: [.teams: "failed user_declined"],
        .teamsHome: [.slack: "pending awaiting_user_consent"],
        .linkedThenDeactivated: [.teams: "synced link -"],
        .reachedThroughDeactivatedLink: [.slack: "synced link -"],
    ]

    /// Consent prompts answered, as (who, secondary platform, allow); the prompt arrives on the
    /// person's primary platform.
    static let consents: [(Role, Platform, Bool)] = [
        (.linked, .teams, true), (.declined, .teams, false), (.linkedThenDeactivated, .teams, true),
        (.reachedThroughDeactivatedLink, .slack, true),
    ]

    /// Accounts deactivated upstream once everything is set up, then re-imported.
    static let deactivations: [(Role, Platform)] = [
        (.deactivated, .slack), (.linkedThenDeactivated, .teams), (.reachedThroughDeactivatedLink, .slack),
    ]

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withoutActuallyEscaping(function) { function in
            try await withSimulatedAPI(organizations: [("acme", 120)]) { api in
                let fixture = try await Self.build(api)
                try await Self.$current.withValue(fixture) { try await function() }
            }
        }
    }

    static func build(_ api: API) async throws -> Fixture {
        try await api.createOrganization("acme")
        let connections = try await api.connectAndImportAll().connections
        let people = try await api.personViews().sorted { $0.email < $1.email }

        // Cast the seeded people by what they are on; each plays one part.
        var cast: [Role: PersonView] = [:]
        func pick(_ role: Role, _ fits: (PersonView) -> Bool) throws {
            let taken = Set(cast.values.map(\.id))
            let person = try #require(
                people.first { !taken.contains($0.id) && fits($0) }, "nobody in the simulated organization can play \(role)")
            cast[role] = person
        }
        func isPlain(_ account: AccountView) -> Bool { account.active && !account.guest }
        func only(_ platform: Platform) -> (PersonView) -> Bool {
            { person in
                let all = person.accounts
                return all.count == 1 && all[0].platform == platform && isPlain(all[0])
            }
        }
        func onSlackAndTeams(_ person: PersonView) -> Bool {
            [Platform.slack, .teams].allSatisfy { platform in
                let there = person.accounts.filter { $0.platform == platform }
                return there.count == 1 && isPlain(there[0])
            }
        }
        for role in [Role.slackOnly, .slackPeer, .slackUnsynced, .deactivated] { try pick(role, only(.slack)) }
        for role in [Role.teamsOnly, .teamsUnsynced] { try pick(role, only(.teams)) }
        try pick(.zoomOnly, only(.zoom))
        for role in [Role.linked, .awaitingConsent, .declined, .teamsHome, .linkedThenDeactivated, .reachedThroughDeactivatedLink] {
            try pick(role, onSlackAndTeams)
        }
        try pick(.undecided) { $0.needsPrimaryChoice }
        let id = { (role: Role) in cast[role]!.id }

        func userID(_ role: Role, _ platform: Platform) throws -> String {
            try #require(cast[role]!.account(on: platform)?.platformUserId)
        }

        let primaries: [(Role, Platform)] = [
            (.linked, .slack), (.awaitingConsent, .slack), (.declined, .slack), (.teamsHome, .teams), (.linkedThenDeactivated, .slack),
            (.reachedThroughDeactivatedLink, .teams),
        ]
        for (role, platform) in primaries {
            let chosen = try await api.call(.put, "/v1/orgs/acme/people/\(id(role))/primary", json: #"{"platform":"\#(platform.rawValue)"}"#)
            #expect(chosen.status == .ok, "\(role): \(chosen.text)")
        }
        for (role, targets) in syncs {
            for platform in targets.keys {
                let reply = try await api.call(
                    .post, "/v1/orgs/acme/people/\(id(role))/syncs", json: #"{"connection_id":"\#(connections[platform]!)"}"#)
                #expect(reply.status == .created, "\(role) onto \(platform): \(reply.text)")
            }
        }
        try await api.waitForSyncsToSettle()

        for (role, secondary, allow) in consents {
            let home = try userID(role, secondary == .slack ? .teams : .slack)
            let link = try #require(api.simulator.messages(organization: "acme").first { $0.to == home }?.link, "\(role) got no prompt")
            let page = try await api.answerConsent(link, login: try userID(role, secondary), allow: allow)
            #expect(page.status == .ok, "\(role): \(page.text)")
        }

        // Deactivated upstream, then seen so by a re-import.
        for (role, platform) in deactivations {
            #expect(api.simulator.changeUser(organization: "acme", platform: platform, id: try userID(role, platform), SimUserChange(active: false)))
        }
        for platform in Set(deactivations.map(\.1)) {
            let reimport = try await api.importAndWait(connections[platform]!)
            #expect(reimport.state == "succeeded", "\(reimport)")
        }

        var members: [Role: Member] = [:]
        for role in Role.allCases {
            let person = try await api.call(.get, "/v1/orgs/acme/people/\(id(role))")
            #expect(person.status == .ok, "\(person.text)")
            members[role] = member(try person.decode(PersonView.self))
        }
        for role in Role.allCases {
            let expected = syncs[role] ?? [:]
            let actual = members[role]!.syncs.mapValues(\.description)
            try #require(actual == expected, "\(role) is not set up as the routing table assumes")
        }
        for (role, platform) in deactivations {
            try #require(members[role]!.accounts[platform]?.active == false, "\(role)'s \(platform) account is deactivated")
        }
        let deactivated = try await api.call(.get, "/v1/orgs/acme/people/\(id(.deactivated))")
        try #require(try deactivated.decode(PersonView.self).allAccountsDeactivated, "\(deactivated.text)")
        try #require(try await api.personView(id(.undecided)).primary == nil)

        let viewer = try await api.createKey("acme", role: "viewer")
        try await api.createOrganization("globex")
        let other = try await api.createKey("globex")
        return Fixture(
            api: api, connections: connections, members: members, viewerKey: viewer.secret, otherOrganizationKey: other.secret)
    }

    static func member(_ person: PersonView) -> Member {
        var accounts: [Platform: Member.Account] = [:]
        for account in person.accounts {
            accounts[account.platform] = Member.Account(id: account.id, platformUserID: account.platformUserId, active: account.active)
        }
        var syncs: [Platform: Member.Sync] = [:]
        for sync in person.syncs {
            syncs[sync.platform] = Member.Sync(
                status: sync.status, cause: sync.cause, mode: sync.mode, virtualKind: sync.virtualKind,
                virtualIdentity: sync.virtualIdentity, linkedAccountID: sync.linkedAccountId)
        }
        return Member(
            id: person.id, email: person.email, displayName: person.displayName ?? person.email, accounts: accounts, syncs: syncs)
    }
}

extension Trait where Self == RoutingOrganization {
    /// Runs the suite against one organization set up for routing.
    static var routingOrganization: Self { Self() }
}
