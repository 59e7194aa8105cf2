import Foundation
import HTTPTypes
import Testing
import UserSyncDomain

/// Cross-platform routing (issue 6): a direct message from an account to a person is delivered to
/// the person's account on their primary platform, from the sender's identity there (their own
/// account, the account they linked, or a stand-in); when it cannot be, a 409 says why. Every case
/// runs against one organization where each person plays a part (`RoutingOrganization.Role`), and
/// asks by the recipient's email and by their person id.
@Suite(.routingOrganization) struct RoutingTests {
    typealias Role = RoutingOrganization.Role

    /// The account a route is asked from: a part's account on a platform, or one nobody has.
    struct Sender: Sendable {
        enum Account: Sendable {
            case of(Role, Platform)
            case unknown(String)
        }

        var account: Account
        /// `from_platform`.
        var platform: Platform
        /// `from_connection`, as the platform of the connection.
        var connection: Platform? = nil

        static func from(_ role: Role, on platform: Platform, connection: Platform? = nil) -> Sender {
            Sender(account: .of(role, platform), platform: platform, connection: connection)
        }
    }

    enum Recipient: Sendable {
        /// Asked both by `to_email` and by `to_person`.
        case person(Role)
        /// Asked by the address spelled upper-case with spaces around it.
        case spelled(Role)
        case unknownEmail
        case unknownPersonID
    }

    /// The identity the message appears from on the recipient's platform.
    enum Identity: Sendable {
        /// A part's own (or linked) account on a platform.
        case account(Role, Platform)
        /// The guest invited for a part on Teams.
        case guest(Role)
        /// The app's bot: no platform user.
        case bot
    }

    enum Answer: Sendable {
        /// Routable: delivered to the recipient's account on `platform`, as `kind` with `identity`.
        case delivered(on: Platform, kind: String, identity: Identity)
        /// Not routable: 409 with this code.
        case refused(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var from: Sender
        var to: Recipient
        var answer: Answer
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Routable.
        Case(
            name: "same platform: an ordinary DM", from: .from(.slackOnly, on: .slack), to: .person(.slackPeer),
            answer: .delivered(on: .slack, kind: "own_account", identity: .account(.slackOnly, .slack))),
        Case(
            name: "same platform, the sender's connection named", from: .from(.slackOnly, on: .slack, connection: .slack), to: .person(.slackPeer),
            answer: .delivered(on: .slack, kind: "own_account", identity: .account(.slackOnly, .slack))),
        Case(
            name: "the address in another spelling", from: .from(.slackOnly, on: .slack), to: .spelled(.slackPeer),
            answer: .delivered(on: .slack, kind: "own_account", identity: .account(.slackOnly, .slack))),
        Case(
            name: "written from the recipient's platform, where the sender has an account but does not live",
            from: .from(.linked, on: .teams), to: .person(.teamsOnly),
            answer: .delivered(on: .teams, kind: "own_account", identity: .account(.linked, .teams))),
        Case(
            name: "written from a secondary platform to someone on the sender's primary",
            from: .from(.linked, on: .teams), to: .person(.slackPeer),
            answer: .delivered(on: .slack, kind: "own_account", identity: .account(.linked, .slack))),
        Case(
            name: "written from a secondary platform to someone on the sender's primary, Teams",
            from: .from(.teamsHome, on: .slack), to: .person(.teamsOnly),
            answer: .delivered(on: .teams, kind: "own_account", identity: .account(.teamsHome, .teams))),
        Case(
            name: "sender synced onto the recipient's platform by link (consented)", from: .from(.linked, on: .slack), to: .person(.teamsOnly),
            answer: .delivered(on: .teams, kind: "linked_account", identity: .account(.linked, .teams))),
        Case(
            name: "sender synced onto Teams as a guest", from: .from(.slackOnly, on: .slack), to: .person(.teamsOnly),
            answer: .delivered(on: .teams, kind: "virtual_guest", identity: .guest(.slackOnly))),
        Case(
            name: "sender synced onto Slack as a bot persona", from: .from(.teamsOnly, on: .teams), to: .person(.slackPeer),
            answer: .delivered(on: .slack, kind: "bot_persona", identity: .bot)),
        // The sender is not on the recipient's platform.
        Case(
            name: "sender's link sync pending (no consent yet)", from: .from(.awaitingConsent, on: .slack), to: .person(.teamsOnly),
            answer: .refused("sender_not_synced")),
        Case(
            name: "sender's link sync failed (declined)", from: .from(.declined, on: .slack), to: .person(.teamsOnly),
            answer: .refused("sender_not_synced")),
        Case(
            name: "sender's sync failed (Zoom needs an account)", from: .from(.slackOnly, on: .slack), to: .person(.zoomOnly),
            answer: .refused("sender_not_synced")),
        Case(
            name: "sender's linked account deactivated since the consent", from: .from(.linkedThenDeactivated, on: .slack),
            to: .person(.teamsOnly), answer: .refused("sender_deactivated")),
        Case(
            name: "sender's sync not created", from: .from(.slackUnsynced, on: .slack), to: .person(.teamsOnly),
            answer: .refused("sender_not_synced")),
        // The recipient is not on the sender's platform.
        Case(
            name: "recipient's sync onto the sender's platform not created", from: .from(.slackOnly, on: .slack), to: .person(.teamsUnsynced),
            answer: .refused("recipient_not_synced")),
        Case(
            name: "recipient's sync onto the sender's platform pending", from: .from(.slackOnly, on: .slack), to: .person(.teamsHome),
            answer: .refused("recipient_not_synced")),
        Case(
            name: "recipient's sync onto the sender's platform failed", from: .from(.zoomOnly, on: .zoom), to: .person(.slackPeer),
            answer: .refused("recipient_not_synced")),
        Case(
            name: "recipient's linked account on the sender's platform deactivated since the consent", from: .from(.slackOnly, on: .slack),
            to: .person(.reachedThroughDeactivatedLink), answer: .refused("recipient_deactivated")),
        // The recipient.
        Case(name: "recipient unknown (email)", from: .from(.slackOnly, on: .slack), to: .unknownEmail, answer: .refused("recipient_unknown")),
        Case(name: "recipient unknown (person id)", from: .from(.slackOnly, on: .slack), to: .unknownPersonID, answer: .refused("recipient_unknown")),
        Case(
            name: "recipient deactivated", from: .from(.slackOnly, on: .slack), to: .person(.deactivated), answer: .refused("recipient_deactivated")),
        Case(
            name: "recipient without a primary", from: .from(.slackOnly, on: .slack), to: .person(.undecided),
            answer: .refused("recipient_has_no_primary")),
        // The sender.
        Case(
            name: "sender account unknown", from: Sender(account: .unknown("UNOBODY0000"), platform: .slack), to: .person(.slackPeer),
            answer: .refused("sender_unknown")),
        Case(
            name: "sender account named on another platform", from: Sender(account: .of(.slackOnly, .slack), platform: .teams),
            to: .person(.slackPeer), answer: .refused("sender_unknown")),
        Case(
            name: "sender account on another connection than named", from: .from(.slackOnly, on: .slack, connection: .teams),
            to: .person(.slackPeer), answer: .refused("sender_unknown")),
        Case(
            name: "sender account deactivated", from: .from(.deactivated, on: .slack), to: .person(.slackPeer),
            answer: .refused("sender_deactivated")),
    ]

    @Test("the routing answer", arguments: cases)
    func route(_ routing: Case) async throws {
        let fixture = try #require(RoutingOrganization.current)
        let api = fixture.api
        var asked: [String] = []
        switch routing.to {
        case .person(let role):
            asked = ["to_email=\(Self.encoded(fixture.member(role).email))", "to_person=\(fixture.member(role).id)"]
        case .spelled(let role):
            asked = ["to_email=\(Self.encoded("  \(fixture.member(role).email.uppercased()) "))"]
        case .unknownEmail:
            asked = ["to_email=\(Self.encoded("nobody.at.all@acme.example.com"))"]
        case .unknownPersonID:
            asked = ["to_person=\(UUID().uuidString.lowercased())"]
        }
        for recipient in asked {
            let reply = try await api.call(.get, Self.uri(routing.from, fixture) + "&" + recipient)
            try Self.check(reply, against: routing, fixture, asked: recipient)
        }
    }

    /// A refusal as far as routing reads it: a problem, and no route.
    struct Refusal: Decodable {
        let deliverTo: RouteView.Delivery?
        let sendAs: RouteView.Sender?
    }

    static func check(_ reply: Reply, against routing: Case, _ fixture: RoutingOrganization.Fixture, asked: String) throws {
        let context = "\(asked) → \(reply.status): \(reply.text)"
        switch routing.answer {
        case .refused(let code):
            #expect(reply.status == .conflict, "\(context)")
            let problem = try reply.decode(ProblemReply.self)
            #expect(problem.code == code, "\(context)")
            #expect(reply.headers[.contentType]?.hasPrefix("application/problem+json") == true, "\(context)")
            #expect(!problem.detail.isEmpty, "\(context)")
            #expect(try reply.decode(Refusal.self).deliverTo == nil, "\(context)")
        case .delivered(let platform, let kind, let identity):
            #expect(reply.status == .ok, "\(context)")
            let route = try reply.decode(RouteView.self)
            #expect(route.routable == true, "\(context)")
            checkDelivery(route, routing, fixture, platform, kind, identity, context)
        }
    }

    static func checkDelivery(
        _ route: RouteView, _ routing: Case, _ fixture: RoutingOrganization.Fixture, _ platform: Platform, _ kind: String, _ identity: Identity,
        _ context: String
    ) {
        let recipient: RoutingOrganization.Member
        switch routing.to {
        case .person(let role), .spelled(let role): recipient = fixture.member(role)
        case .unknownEmail, .unknownPersonID:
            Issue.record("a route to nobody cannot be delivered")
            return
        }
        let deliverTo = route.deliverTo
        #expect(deliverTo.personId == recipient.id, "\(context)")
        #expect(deliverTo.email == recipient.email, "\(context)")
        #expect(deliverTo.platform == platform, "\(context)")
        #expect(deliverTo.connectionId == fixture.connections[platform], "\(context)")
        #expect(deliverTo.platformUserId == recipient.accounts[platform]?.platformUserID, "\(context)")

        guard case .of(let senderRole, let writtenOn) = routing.from.account else {
            Issue.record("a known sender is needed to be delivered")
            return
        }
        let sender = fixture.member(senderRole)
        let sendAs = route.sendAs
        #expect(sendAs.personId == sender.id, "\(context)")
        #expect(sendAs.accountId == sender.accounts[writtenOn]?.id, "the account written from: \(context)")
        #expect(sendAs.kind == kind, "\(context)")
        #expect(sendAs.displayName == sender.displayName, "\(context)")
        switch identity {
        case .account(let role, let platform):
            let account = fixture.member(role).accounts[platform]
            #expect(account != nil)
            #expect(sendAs.platformUserId == account?.platformUserID, "\(context)")
            if kind == "linked_account" {
                #expect(fixture.member(role).syncs[platform]?.linkedAccountID == account?.id, "the linked account is the one consented")
            }
        case .guest(let role):
            let guest = fixture.member(role).syncs[.teams]?.virtualIdentity
            #expect(guest != nil)
            #expect(sendAs.platformUserId == guest, "\(context)")
            let invited = fixture.api.simulator.invitations(organization: "acme").filter { $0.userID == guest && !$0.deleted }
            #expect(invited.map(\.email) == [fixture.member(role).email], "the guest Teams has for the sender")
        case .bot:
            // Null, as the bot has no platform user (decoding to an Optional does not tell null from absent).
            #expect(sendAs.platformUserId == nil, "\(context)")
        }
    }

    static func uri(_ sender: Sender, _ fixture: RoutingOrganization.Fixture) -> String {
        let account =
            switch sender.account {
            case .of(let role, let platform): fixture.member(role).accounts[platform]?.platformUserID ?? "missing"
            case .unknown(let id): id
            }
        var uri = "/v1/orgs/acme/routes?from_platform=\(sender.platform.rawValue)&from_account=\(encoded(account))"
        if let connection = sender.connection { uri += "&from_connection=\(fixture.connections[connection]!)" }
        return uri
    }

    /// Query values percent-encoded beyond what URL query syntax requires: `+`, `@`, `/`, `=` too.
    static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"))!
    }
}
