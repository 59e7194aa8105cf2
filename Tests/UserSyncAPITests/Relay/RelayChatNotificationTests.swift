import Foundation
import Testing
import UserSyncConnectors

@testable import UserSyncUseCases

/// How a Graph notification of a linked person's chat message becomes a ledger event.
@Suite struct RelayChatNotificationTests {
    typealias Notifications = RelayChatNotifications

    static func notification(_ changeType: String?, _ resource: String?, id: String? = nil) -> Notifications.Notification {
        let json: JSONBody = [
            "subscriptionId": "s1", "clientState": "c", "changeType": changeType.map(JSONBody.string) ?? nil,
            "resource": resource.map(JSONBody.string) ?? nil, "resourceData": id.map { ["id": .string($0)] } ?? nil,
        ]
        return try! JSONDecoder().decode(Notifications.Notification.self, from: Data(try! jsonText(json).utf8))
    }

    @Test func resourcesAreReadInBothSpellings() {
        #expect(Notifications.chatMessage(in: "chats('19:abc@thread.v2')/messages('1616')")! == ("19:abc@thread.v2", "1616"))
        #expect(Notifications.chatMessage(in: "Chats('19:a')/Messages('2')")! == ("19:a", "2"))
        #expect(Notifications.chatMessage(in: "/chats/19:a/messages/2")! == ("19:a", "2"))
        for bad in ["", "chats('19:a')", "groups('g')/members", "chats('')/messages('1')", "chats('a\u{1}')/messages('1')", "a/b/c/d"] {
            #expect(Notifications.chatMessage(in: bad) == nil, "\(bad)")
        }
    }

    @Test func changesBecomeEventsForTheLinkedPerson() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let created = try #require(Notifications.event(Self.notification("created", "chats('19:a')/messages('7')", id: "7"), for: "L", now: now))
        #expect(created.kind == .message)
        #expect(created.conversationID == "19:a" && created.messageID == "7")
        #expect(created.recipientUserID == "L" && created.senderUserID.isEmpty && created.text == nil && !created.toBot)
        #expect(created.eventKey == "L:created:7")
        let deleted = try #require(Notifications.event(Self.notification("deleted", "chats('19:a')/messages('7')"), for: "L", now: now))
        #expect(deleted.kind == .delete && deleted.eventKey == "L:deleted:7")
        // Graph does not say which edit it reports: each is its own event.
        let edits = (0..<2).compactMap { _ in Notifications.event(Self.notification("updated", "chats('19:a')/messages('7')"), for: "L", now: now) }
        #expect(edits.count == 2 && edits.allSatisfy { $0.kind == .edit } && edits[0].eventKey != edits[1].eventKey)
    }

    @Test func whatIsNotAChatMessageChangeIsRefused() {
        let now = Date()
        #expect(Notifications.event(Self.notification("created", "Groups/g1"), for: "L", now: now) == nil)
        #expect(Notifications.event(Self.notification("moved", "chats('19:a')/messages('7')"), for: "L", now: now) == nil)
        #expect(Notifications.event(Self.notification(nil, "chats('19:a')/messages('7')"), for: "L", now: now) == nil)
        // resourceData names another message than the resource: not Graph's.
        #expect(Notifications.event(Self.notification("created", "chats('19:a')/messages('7')", id: "8"), for: "L", now: now) == nil)
    }
}
