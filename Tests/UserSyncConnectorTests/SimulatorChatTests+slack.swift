import Foundation
import Hummingbird
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// Slack's Events API as the simulator sends it: the Request URL's challenge, signed `message.im`
/// events for DMs with the bot and for DMs of people who authorized the app, and resends.
@Suite("Simulated chat: Slack events")
struct SimulatorChatSlackTests {
    struct Challenge: Decodable {
        var type: String
        var challenge: String
    }

    struct Envelope: Decodable {
        struct Authorization: Decodable {
            var user_id: String
            var is_bot: Bool
        }

        struct Changed: Decodable {
            var user: String?
            var text: String?
            var ts: String
        }

        struct Event: Decodable {
            var type: String
            var subtype: String?
            var channel: String
            var channel_type: String?
            var user: String?
            var text: String?
            var ts: String?
            var thread_ts: String?
            var deleted_ts: String?
            var bot_id: String?
            var message: Changed?
        }

        var type: String
        var team_id: String
        var api_app_id: String
        var event_id: String
        var authorizations: [Authorization]
        var event: Event
    }

    /// Answers Slack's challenge, and `status` to every event.
    static func slackApp(status: HTTPResponse.Status = .ok) -> EventReceiver.Respond {
        { request, _ in
            guard let challenge = try? request.decode(Challenge.self), challenge.type == "url_verification" else {
                return .init(status: status)
            }
            return .init(body: "{\"challenge\": \"\(challenge.challenge)\"}", contentType: "application/json")
        }
    }

    static func events(_ receiver: EventReceiver) throws -> [(EventReceiver.Received, Envelope)] {
        try receiver.received.filter { (try? $0.decode(Challenge.self))?.type != "url_verification" }.map { ($0, try $0.decode(Envelope.self)) }
    }

    @Test("the Request URL must echo Slack's signed challenge; a URL that does not is refused with 422")
    func requestURL() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let secret = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.slack.signingSecret
            let respond: EventReceiver.Respond = { request, index in
                request.name == "good" ? await Self.slackApp()(request, index) : .init(body: "ok")
            }
            try await EventReceiver.run(respond) { receiver in
                let good = try await Chat.setEventURL(platforms, .slack, receiver.url("good"))
                #expect(good.status == 204)
                let bad = try await Chat.setEventURL(platforms, .slack, receiver.url("bad"))
                #expect(bad.status == 422)
                #expect(bad.body.contains("handshake_failed"))
                #expect(receiver.received.count == 2)
                for request in receiver.received {
                    #expect(try request.decode(Challenge.self).type == "url_verification")
                    Chat.expectV0Signed(request, secret: secret, signature: "x-slack-signature", timestamp: "x-slack-request-timestamp")
                }
                let wrongSecret = try #require(receiver.received.first)
                #expect(wrongSecret.headers["x-slack-signature"] != Chat.v0Signature(secret: "not-it", timestamp: "0", body: wrongSecret.body))
            }
        }
    }

    @Test("a person's DMs to the bot arrive signed and in order: the message, a thread reply, the edit and the deletion")
    func botDirectMessages() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let secret = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.slack.signingSecret
            let person = try Chat.people(platforms, on: .slack)[0]
            try await EventReceiver.run(Self.slackApp()) { receiver in
                #expect(try await Chat.setEventURL(platforms, .slack, receiver.url("slack")).status == 204)
                let first = try await Chat.write(platforms, .slack, from: person, to: "bot", text: "Hello *there*")
                let reply = try await Chat.write(platforms, .slack, from: person, to: "bot", text: "and a reply", thread: first.id)
                #expect(
                    try await Chat.control(platforms, .PATCH, "/orgs/acme/platforms/slack/messages/\(first.id)", json: #"{"text":"Hello again"}"#)
                        .status == 200)
                #expect(try await Chat.control(platforms, .DELETE, "/orgs/acme/platforms/slack/messages/\(first.id)").status == 204)
                await platforms.simulator.eventsSettled()

                let events = try Self.events(receiver)
                try #require(events.count == 4)
                for (request, envelope) in events {
                    Chat.expectV0Signed(request, secret: secret, signature: "x-slack-signature", timestamp: "x-slack-request-timestamp")
                    #expect(request.headers["x-slack-retry-num"] == nil)
                    #expect(envelope.type == "event_callback")
                    #expect(envelope.authorizations.map(\.user_id) == ["UBOT000001"] && envelope.authorizations.allSatisfy(\.is_bot))
                    #expect(envelope.event.channel == first.conversation && envelope.event.channel.hasPrefix("D"))
                    #expect(envelope.event.channel_type == "im")
                }
                #expect(Set(events.map(\.1.event_id)).count == 4)
                let (message, threaded, edit, deletion) = (events[0].1.event, events[1].1.event, events[2].1.event, events[3].1.event)
                #expect(message.subtype == nil && message.user == person && message.text == "Hello *there*" && message.ts == first.id)
                #expect(threaded.ts == reply.id && threaded.thread_ts == first.id)
                #expect(edit.subtype == "message_changed" && edit.message?.text == "Hello again" && edit.message?.ts == first.id)
                #expect(deletion.subtype == "message_deleted" && deletion.deleted_ts == first.id)

                let inbox = try await Chat.inbox(platforms, .slack, user: "bot")
                #expect(inbox.map(\.id) == [first.id, reply.id])
                #expect(inbox.first?.edited == true && inbox.first?.deleted == true && inbox.first?.text == "Hello again")
                #expect(inbox.last?.thread == first.id && inbox.last?.from == person)
            }
        }
    }

    @Test("an event not answered 2xx is sent again with X-Slack-Retry-Num and the same event_id, and each attempt is logged")
    func retriesOnErrors() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let secret = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.slack.signingSecret
            let person = try Chat.people(platforms, on: .slack)[0]
            // The challenge is request 0; the event's first two attempts fail.
            let respond: EventReceiver.Respond = { request, index in
                index == 1 || index == 2 ? .init(status: .internalServerError) : await Self.slackApp()(request, index)
            }
            try await EventReceiver.run(respond) { receiver in
                #expect(try await Chat.setEventURL(platforms, .slack, receiver.url("slack")).status == 204)
                _ = try await Chat.write(platforms, .slack, from: person, to: "bot", text: "are you there?")
                await platforms.simulator.eventsSettled()

                let attempts = try Self.events(receiver)
                #expect(attempts.count == 3)
                #expect(Set(attempts.map(\.1.event_id)).count == 1)
                #expect(attempts.map { $0.0.headers["x-slack-retry-num"] } == [nil, "1", "2"])
                #expect(attempts.map { $0.0.headers["x-slack-retry-reason"] } == [nil, "http_error", "http_error"])
                for (request, _) in attempts {
                    Chat.expectV0Signed(request, secret: secret, signature: "x-slack-signature", timestamp: "x-slack-request-timestamp")
                }
                let log = try await Chat.deliveries(platforms, .slack).filter { $0.kind == "event_callback" }
                #expect(log.map(\.retry) == [0, 1, 2])
                #expect(log.map(\.status) == [500, 500, 200])
                #expect(Set(log.map(\.eventKey)) == [attempts[0].1.event_id])
            }
        }
    }

    @Test("an event answered too late counts as http_timeout; after three retries Slack gives up")
    func givesUpAfterTimeouts() async throws {
        // A short deadline and an answer six times later: late on any machine (the handshake
        // keeps a generous one).
        var configuration = Chat.configuration(deadline: 0.5)
        configuration.handshakeDeadline = 10
        try await SimulatedPlatforms.run(configuration) { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60)
            let person = try Chat.people(platforms, on: .slack)[0]
            let respond: EventReceiver.Respond = { request, index in
                index == 0 ? await Self.slackApp()(request, index) : .init(delay: .seconds(3))
            }
            try await EventReceiver.run(respond) { receiver in
                #expect(try await Chat.setEventURL(platforms, .slack, receiver.url("slack")).status == 204)
                _ = try await Chat.write(platforms, .slack, from: person, to: "bot", text: "slow?")
                await platforms.simulator.eventsSettled()
                let log = try await Chat.deliveries(platforms, .slack).filter { $0.kind == "event_callback" }
                #expect(log.map(\.retry) == [0, 1, 2, 3])
                #expect(log.allSatisfy { $0.status == nil && $0.error == "http_timeout" })
                // The simulator stops waiting after its deadline, not once the receiver has seen the
                // request: on a busy machine the receiver may log the last one a moment later.
                try await eventually { try Self.events(receiver).count >= 4 }
                #expect(
                    try Self.events(receiver).map { $0.0.headers["x-slack-retry-reason"] } == [nil, "http_timeout", "http_timeout", "http_timeout"])
            }
        }
    }

    @Test("a DM between two people reaches the app only once one of them has authorized it")
    func authorizedPeople() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60)
            let people = try Chat.people(platforms, on: .slack)
            try await EventReceiver.run(Self.slackApp()) { receiver in
                #expect(try await Chat.setEventURL(platforms, .slack, receiver.url("slack")).status == 204)
                _ = try await Chat.write(platforms, .slack, from: people[0], to: people[1], text: "private, for now")
                await platforms.simulator.eventsSettled()
                #expect(try Self.events(receiver).isEmpty)

                _ = try await Chat.consent(platforms, .slack, user: people[1])
                let written = try await Chat.write(platforms, .slack, from: people[0], to: people[1], text: "now the app hears this")
                await platforms.simulator.eventsSettled()
                let events = try Self.events(receiver)
                try #require(events.count == 1)
                let envelope = events[0].1
                #expect(envelope.authorizations.map(\.user_id) == [people[1]] && !envelope.authorizations[0].is_bot)
                #expect(envelope.event.user == people[0] && envelope.event.channel == written.conversation && envelope.event.bot_id == nil)
            }
        }
    }
}
