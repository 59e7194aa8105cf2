import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// Cross-platform direct messages end to end (issue 14): people write DMs in the simulated
/// platforms, the platforms send their signed events to the live service, and the worker delivers
/// each message to the recipient's primary platform as the sender — through their linked account,
/// or their persona with its fixed label. Each test uses its own people and its own words, so the
/// suite's tests share one organization.
@Suite(.relayOrganization) struct RelayTests {
    typealias Role = RelayOrganization.Role
    var relay: RelayOrganization.Fixture { RelayOrganization.current! }

    @Test func slackAndTeamsPeopleTalkThroughTheirStandIns() async throws {
        let slack = relay.member(.slackOnly), teams = relay.member(.teamsOnly)
        // Slack → Teams: written to the app's bot, addressed to the Teams person.
        try relay.write(.slack, from: slack, to: "bot", "\(teams.email): hello *stand-in world*")
        let received = try await relay.received(.teams, by: teams, containing: "stand-in world")
        #expect(received.from == "bot")
        #expect(received.name == slack.name)
        #expect(received.label == "via Slack" || received.text.contains("via Slack"), "\(received)")
        #expect(received.text.contains("<b>stand-in world</b>"), "\(received.text)")
        // … and the reply, written in its thread on Teams, comes back as the Teams person's persona.
        try relay.write(.teams, from: teams, to: "bot", "<p>hi <i>from teams</i></p>", thread: received.id)
        let reply = try await relay.received(.slack, by: slack, containing: "from teams")
        #expect(reply.name == teams.name)
        #expect(reply.label == "via Microsoft Teams")
        #expect(reply.text.contains("_from teams_"), "\(reply.text)")
        // The ledger has both, delivered, with their steps.
        let delivered = try await relay.ledger(person: slack.id).filter { $0.state == "delivered" }
        #expect(delivered.count == 2, "\(delivered)")
        let detail = try await relay.detail(try #require(delivered.first).id)
        #expect(detail.steps.map(\.step) == ["received", "delivered"])
        #expect(detail.message.destination?.sendAs == "virtual_guest" || detail.message.destination?.sendAs == "bot_persona")
    }

    @Test func aLinkedAccountCarriesTheMessageAsThePersonThemselves() async throws {
        let sender = relay.member(.slackLinkedToTeams), recipient = relay.member(.teamsLinkedToSlack)
        // Written natively on Slack to the recipient's own (linked) Slack account …
        try relay.write(.slack, from: sender, to: recipient.user(.slack), "linked hello")
        // … it reaches them on Teams from the sender's own Teams account.
        let received = try await relay.received(.teams, by: recipient, containing: "linked hello")
        #expect(received.from == sender.user(.teams))
        #expect(received.label == nil)
    }

    @Test func slackAndZoomTalkBothWays() async throws {
        let zoom = relay.member(.zoomOnly), slack = relay.member(.slackLinkedToZoom)
        // Written natively on Zoom to the Slack person's linked Zoom account …
        try relay.write(.zoom, from: zoom, to: slack.user(.zoom), "zoom says **hi**")
        let received = try await relay.received(.slack, by: slack, containing: "zoom says")
        #expect(received.name == zoom.name)
        #expect(received.label == "via Zoom")
        #expect(received.text.contains("*hi*"), "\(received.text)")
        // … and the answer, written to the persona on Slack, is sent from their own Zoom account.
        try relay.write(.slack, from: slack, to: "bot", "slack answers _back_", thread: received.id)
        let answer = try await relay.received(.zoom, by: zoom, containing: "slack answers")
        #expect(answer.from == slack.user(.zoom))
    }

    @Test func aDMToALinkedWebexAccountIsHeardThroughThePersonsOwnWebhookAndAnswered() async throws {
        let webex = relay.member(.webexOnly), slack = relay.member(.slackLinkedToWebex)
        // Written natively on Webex to the Slack person's linked Webex account: only that
        // person's own webhook hears it, and only their token can read it …
        try relay.write(.webex, from: webex, to: slack.user(.webex), "webex writes **directly**")
        let received = try await relay.received(.slack, by: slack, containing: "webex writes")
        #expect(received.name == webex.name)
        #expect(received.label == "via Webex")
        #expect(received.text.contains("*directly*"), "\(received.text)")
        // … and the answer, written to the persona on Slack, is sent from their own Webex account,
        // which their webhook reports too, but as their own message: not relayed back.
        try relay.write(.slack, from: slack, to: "bot", "slack answers", thread: received.id)
        let answer = try await relay.received(.webex, by: webex, containing: "slack answers")
        #expect(answer.from == slack.user(.webex))
        await relay.simulator.eventsSettled()
        let ledger = try await relay.ledger(person: slack.id)
        #expect(ledger.map(\.state) == ["delivered", "delivered"], "\(ledger.map { "\($0.state) \($0.cause ?? "-")" })")
    }

    @Test func aTeamsChatToALinkedTeamsAccountIsHeardThroughThePersonsOwnSubscription() async throws {
        let teams = relay.member(.teamsOnly), slack = relay.member(.slackLinkedToTeams)
        // The bot is not in a chat between two people: UserSync subscribed, with the linked
        // person's token, to their chat messages when they linked their account.
        #expect(
            try await eventually(.seconds(60), "the linked person's chats are subscribed to") {
                relay.simulator.graphSubscriptions(organization: "acme").contains { $0.resource.contains(slack.user(.teams)) }
            })
        let written = try relay.write(.teams, from: teams, to: slack.user(.teams), "<p>teams writes <b>directly</b></p>")
        let received = try await relay.received(.slack, by: slack, containing: "teams writes")
        #expect(received.name == teams.name)
        #expect(received.label == "via Microsoft Teams")
        #expect(received.text.contains("*directly*"), "\(received.text)")
        // Graph reports edits and deletions of the chat message too.
        _ = try relay.simulator.editMessage(organization: "acme", platform: .teams, id: written.id, text: "<p>teams rewrites</p>")
        #expect(
            try await eventually(.seconds(60), "the edit reaches Slack") {
                relay.inbox(.slack, of: slack).first { $0.id == received.id }.map { $0.edited && $0.text.contains("teams rewrites") } ?? false
            })
        // The answer, written to the persona on Slack, is posted from their own Teams account; their
        // subscription reports that message too, as their own: ignored, not relayed back.
        try relay.write(.slack, from: slack, to: "bot", "slack answers", thread: received.id)
        let answer = try await relay.received(.teams, by: teams, containing: "slack answers")
        #expect(answer.from == slack.user(.teams))
        #expect(
            try await eventually(.seconds(60), "the answer's own notification is ignored") {
                try await relay.ledger().contains { $0.source.messageId == answer.id && $0.state == "ignored" && $0.cause == "own_message" }
            })
        #expect(!relay.inbox(.slack, of: slack).contains { $0.text.contains("slack answers") })
        try relay.simulator.deleteMessage(organization: "acme", platform: .teams, id: written.id)
        let deleted = try await eventually(.seconds(60), "the delete reaches Slack") {
            relay.inbox(.slack, of: slack).first { $0.id == received.id }?.deleted ?? false
        }
        if !deleted {
            let rows = try await relay.ledger().filter { $0.source.messageId == written.id }
            Issue.record("ledger: \(rows.map { "\($0.kind) \($0.state) \($0.cause ?? "-") \($0.causeMessage ?? "")" })")
        }
    }

    @Test func teamsAndWebexTalkThroughTheirStandIns() async throws {
        let teams = relay.member(.teamsOnly), webex = relay.member(.webexOnly)
        try relay.write(.teams, from: teams, to: "bot", "<p>\(webex.email): webex, <b>are you there</b>?</p>")
        let received = try await relay.received(.webex, by: webex, containing: "are you there")
        #expect(received.from == "bot")
        #expect(received.text.contains("**are you there**") && received.text.contains(teams.name), "\(received.text)")
        try relay.write(.webex, from: webex, to: "bot", "webex is *here*")
        let reply = try await relay.received(.teams, by: teams, containing: "webex is")
        #expect(reply.name == webex.name || reply.text.contains(webex.name))
        #expect(reply.text.contains("<i>here</i>"), "\(reply.text)")
    }

    @Test func editsAndDeletesFollowTheMessage() async throws {
        let slack = relay.member(.slackPeer), teams = relay.member(.teamsOnly)
        let written = try relay.write(.slack, from: slack, to: "bot", "\(teams.email): first draft")
        let received = try await relay.received(.teams, by: teams, containing: "first draft")
        _ = try relay.simulator.editMessage(organization: "acme", platform: .slack, id: written.id, text: "\(teams.email): second draft")
        #expect(
            try await eventually(.seconds(60), "the edit reaches Teams") {
                relay.inbox(.teams, of: teams).first { $0.id == received.id }.map { $0.edited && $0.text.contains("second draft") } ?? false
            })
        try relay.simulator.deleteMessage(organization: "acme", platform: .slack, id: written.id)
        #expect(
            try await eventually(.seconds(60), "the delete reaches Teams") {
                relay.inbox(.teams, of: teams).first { $0.id == received.id }?.deleted ?? false
            })
    }
}
