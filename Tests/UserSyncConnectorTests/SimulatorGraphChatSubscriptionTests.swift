import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// Graph change notifications on a person's Teams chat messages (`/users/{id}/chats/getAllMessages`),
/// which the relay subscribes to with a linked person's token to hear their chats with other people.
@Suite("Simulated Graph: subscriptions to a person's chat messages")
struct SimulatorGraphChatSubscriptionTests {
    typealias Support = GraphChatSubscriptionSupport

    @Test("a person's subscription hears DMs to them, their own replies, edits and deletes, and not their chat with the bot")
    func personSubscribes() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let credentials = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.teams
            let people = try Chat.people(platforms, on: .teams)
            let (subscriber, other) = (people[0], people[1])
            let token = try await Chat.consent(platforms, .teams, user: subscriber)
            try await EventReceiver.run(Support.answerValidation) { receiver in
                let made = try await Support.subscribe(
                    platforms, token: token, resource: "/users/\(subscriber)/chats/getAllMessages", receiver: receiver, clientState: "secret-1")
                #expect(made.status == 201, "\(made.body)")
                let subscription = try made.decode(Support.Subscription.self)
                #expect(subscription.creatorId == subscriber && subscription.changeType == "created,updated,deleted")
                #expect(receiver.received.filter { $0.query["validationToken"] != nil }.map(\.name).sorted() == ["chats", "lifecycle"])
                let validations = platforms.simulator.graphNotifications(organization: "acme").filter { $0.kind == .validation }
                #expect(validations.map(\.status) == [200, 200])

                let dm = try await Chat.write(platforms, .teams, from: other, to: subscriber, text: "hello")
                var notes = try await Support.notifications(receiver, count: 1)
                let first = try #require(notes.first)
                let resource = "chats('\(dm.conversation)')/messages('\(dm.id)')"
                #expect(first.subscriptionId == subscription.id && first.clientState == "secret-1" && first.changeType == "created")
                #expect(first.resource == resource && first.tenantId == credentials.tenantID)
                #expect(first.subscriptionExpirationDateTime == subscription.expirationDateTime)
                #expect(first.resourceData?.id == dm.id && first.resourceData?.odataID == resource)
                #expect(first.resourceData?.odataType == "#Microsoft.Graph.chatMessage")

                // What the notification names, read with the app token (Chat.Read.All) and the person's.
                let path = "/graph/v1.0/chats/\(dm.conversation)/messages"
                let app = try await Support.appToken(platforms, credentials)
                for bearer in [app, token] {
                    let message = try await Chat.call(platforms, .GET, "\(path)/\(dm.id)", token: bearer).decode(Support.Message.self)
                    #expect(message.from.user?.id == other && message.body.content == "hello")
                }

                let posted = try await Chat.call(platforms, .POST, path, token: token, json: #"{"body": {"content": "hi back"}}"#)
                #expect(posted.status == 201)
                let reply = try posted.decode(Support.Message.self).id
                #expect(
                    try await Chat.call(platforms, .PATCH, "\(path)/\(reply)", token: token, json: #"{"body": {"content": "hi!"}}"#).status == 204)
                #expect(try await Chat.call(platforms, .POST, "\(path)/\(reply)/softDelete", token: token).status == 204)
                notes = try await Support.notifications(receiver, count: 4)
                #expect(notes.dropFirst().map(\.changeType) == ["created", "updated", "deleted"])
                #expect(notes.dropFirst().map(\.resourceData?.id) == [reply, reply, reply])
                #expect(Set(notes.map(\.subscriptionId)) == [subscription.id])

                // The bot's conversation is not a chat between people: only the later DM is told.
                let toBot = try await Chat.write(platforms, .teams, from: subscriber, to: "bot", text: "hello bot")
                let later = try await Chat.write(platforms, .teams, from: other, to: subscriber, text: "later")
                notes = try await Support.notifications(receiver) { $0.contains { $0.resourceData?.id == later.id } }
                #expect(notes.count == 5)
                #expect(!notes.contains { $0.resource?.contains(toBot.conversation) == true || $0.resourceData?.id == toBot.id })
            }
        }
    }

    @Test("the app token subscribes to anyone's chat messages; each member's subscription hears the chat, for the change types it asked")
    func appSubscribes() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let credentials = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.teams
            let people = try Chat.people(platforms, on: .teams)
            let app = try await Support.appToken(platforms, credentials)
            try await EventReceiver.run(Support.answerValidation) { receiver in
                let authorWatch = try await Support.subscribe(
                    platforms, token: app, resource: "users('\(people[0])')/chats/getAllMessages", receiver: receiver, clientState: "author")
                let recipientWatch = try await Support.subscribe(
                    platforms, token: app, resource: "Users/\(people[1])/chats/getAllMessages", receiver: receiver, changeType: "created",
                    clientState: "recipient")
                #expect(authorWatch.status == 201 && recipientWatch.status == 201, "\(authorWatch.body) \(recipientWatch.body)")
                #expect(try authorWatch.decode(Support.Subscription.self).creatorId == nil)

                let dm = try await Chat.write(platforms, .teams, from: people[0], to: people[1], text: "one")
                var notes = try await Support.notifications(receiver, count: 2)
                #expect(Set(notes.map(\.clientState)) == ["author", "recipient"] && Set(notes.map(\.resourceData?.id)) == [dm.id])
                _ = try platforms.simulator.editMessage(organization: "acme", platform: .teams, id: dm.id, text: "one, edited")
                let next = try await Chat.write(platforms, .teams, from: people[1], to: people[0], text: "two")
                notes = try await Support.notifications(receiver, count: 5)
                #expect(notes.count == 5)
                let rest = notes.dropFirst(2).map { "\($0.clientState ?? "") \($0.changeType ?? "") \($0.resourceData?.id ?? "")" }
                #expect(Set(rest) == ["author updated \(dm.id)", "author created \(next.id)", "recipient created \(next.id)"])
            }
        }
    }

    @Test("chat subscriptions live at most an hour, are a person's own, and are renewed with PATCH")
    func refusalsAndRenewal() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let credentials = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.teams
            let people = try Chat.people(platforms, on: .teams)
            let token = try await Chat.consent(platforms, .teams, user: people[0])
            let app = try await Support.appToken(platforms, credentials)
            try await EventReceiver.run(Support.answerValidation) { receiver in
                let mine = "/users/\(people[0])/chats/getAllMessages"
                let tooLong = try await Support.subscribe(platforms, token: token, resource: mine, receiver: receiver, minutes: 61)
                #expect(tooLong.status == 400 && tooLong.body.contains("InvalidRequest"))
                #expect(tooLong.body.contains("Subscription expiration can only be 60 minutes in the future."))
                let theirs = "/users/\(people[1])/chats/getAllMessages"
                let forbidden = try await Support.subscribe(platforms, token: token, resource: theirs, receiver: receiver)
                #expect(forbidden.status == 403 && forbidden.body.contains("\"Forbidden\""), "\(forbidden.body)")
                let unknown = try await Support.subscribe(platforms, token: app, resource: "/users/nobody/chats/getAllMessages", receiver: receiver)
                #expect(unknown.status == 404 && unknown.body.contains("Request_ResourceNotFound"))
                #expect(receiver.received.isEmpty, "no handshake for a refused subscription")

                let id = try await Support.subscribe(platforms, token: token, resource: mine, receiver: receiver).decode(Support.Subscription.self).id
                let appsOwn = try await Support.subscribe(platforms, token: app, resource: theirs, receiver: receiver)
                let appsID = try appsOwn.decode(Support.Subscription.self).id
                let renewal = ISO8601DateFormatter().string(from: Date().addingTimeInterval(59 * 60 + 30))
                let renewed = try await Chat.call(
                    platforms, .PATCH, "/graph/v1.0/subscriptions/\(id)", token: token, json: "{\"expirationDateTime\": \"\(renewal)\"}")
                #expect(renewed.status == 200, "\(renewed.body)")
                #expect(try renewed.decode(Support.Subscription.self).expirationDateTime == renewal)
                let overLong = ISO8601DateFormatter().string(from: Date().addingTimeInterval(61 * 60))
                let refused = try await Chat.call(
                    platforms, .PATCH, "/graph/v1.0/subscriptions/\(id)", token: token, json: "{\"expirationDateTime\": \"\(overLong)\"}")
                #expect(refused.status == 400 && refused.body.contains("60 minutes"))

                // A person's token sees and changes only what it made; the app token sees everything.
                let listed = try await Chat.call(platforms, .GET, "/graph/v1.0/subscriptions", token: token).decode(Support.Listing.self)
                #expect(listed.value.map(\.id) == [id])
                #expect(try await Chat.call(platforms, .GET, "/graph/v1.0/subscriptions", token: app).decode(Support.Listing.self).value.count == 2)
                #expect(try await Chat.call(platforms, .DELETE, "/graph/v1.0/subscriptions/\(appsID)", token: token).status == 403)
                #expect(try await Chat.call(platforms, .DELETE, "/graph/v1.0/subscriptions/\(id)", token: token).status == 204)
                #expect(try await Chat.call(platforms, .GET, "/graph/v1.0/subscriptions/\(id)", token: app).status == 404)
                let group = try #require(platforms.simulator.createGroup(organization: "acme", displayName: "Ops"))
                let groupWatch = try await Support.subscribe(platforms, token: token, resource: "/groups/\(group)/members", receiver: receiver)
                #expect(groupWatch.status == 403, "groups need the app token")
            }
        }
    }

    @Test("a chat subscription that must be reauthorized is told so on its lifecycle URL and hears nothing until reauthorized")
    func reauthorization() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60)
            let people = try Chat.people(platforms, on: .teams)
            let token = try await Chat.consent(platforms, .teams, user: people[0])
            try await EventReceiver.run(Support.answerValidation) { receiver in
                let resource = "/users/\(people[0])/chats/getAllMessages"
                let made = try await Support.subscribe(platforms, token: token, resource: resource, receiver: receiver, clientState: "s")
                let id = try made.decode(Support.Subscription.self).id
                let control = try await Chat.control(platforms, .POST, "/orgs/acme/graph/subscriptions/\(id)/reauthorization-required")
                #expect(control.status == 202)
                let lifecycle = try await Support.notifications(receiver, count: 1, name: "lifecycle")
                #expect(lifecycle.first?.lifecycleEvent == "reauthorizationRequired" && lifecycle.first?.resource == resource)
                #expect(lifecycle.first?.subscriptionId == id && lifecycle.first?.clientState == "s")

                let unheard = try await Chat.write(platforms, .teams, from: people[1], to: people[0], text: "while unauthorized")
                #expect(try await Chat.call(platforms, .POST, "/graph/v1.0/subscriptions/\(id)/reauthorize", token: token).status == 204)
                let heard = try await Chat.write(platforms, .teams, from: people[1], to: people[0], text: "after")
                let notes = try await Support.notifications(receiver) { $0.contains { $0.resourceData?.id == heard.id } }
                #expect(notes.map(\.resourceData?.id) == [heard.id], "nothing about \(unheard.id)")
            }
        }
    }
}
