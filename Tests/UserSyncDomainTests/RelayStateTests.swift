import Foundation
import Testing
import UserSyncDomain

/// The ledger's states and the reasons a message cannot be routed, as the relay acts on them.
struct RelayStateTests {
    @Test func onlyReceivedAndRetryingMessagesHoldUpTheirConversation() {
        #expect(RelayState.allCases.filter(\.isPending) == [.received, .retrying])
    }

    @Test func onlyFailedAndDeadMessagesCanBeReplayed() {
        #expect(RelayState.allCases.filter(\.isReplayable) == [.failed, .dead])
    }

    @Test func everyRoutingRefusalHasAReason() {
        // The codes `MessageRouting` refuses with (RoutingTests covers each) all map to a reason.
        for code in [
            "sender_unknown", "sender_deactivated", "sender_not_synced", "recipient_unknown", "recipient_deactivated",
            "recipient_has_no_primary", "recipient_not_synced",
        ] {
            #expect(RelayUnroutable(rawValue: code) != nil, "\(code)")
        }
    }

    @Test func onlyARecipientWhoCanSyncIsReminded() {
        #expect(RelayUnroutable.allCases.filter(\.remindsRecipient) == [.recipientHasNoPrimary, .recipientNotSynced])
    }

    @Test func theSenderIsToldWhyInWordsThatNameThePeopleAndPlatforms() {
        let notSynced = RelayUnroutable.senderNotSynced.senderNotice(recipient: "Ada Lovelace", recipientPlatform: .teams, platform: .slack)
        #expect(notSynced.contains("Ada Lovelace") && notSynced.contains("Microsoft Teams"))
        let recipient = RelayUnroutable.recipientNotSynced.senderNotice(recipient: "Ada Lovelace", recipientPlatform: .teams, platform: .slack)
        #expect(recipient.contains("not synced onto Slack") && recipient.contains("reminded"))
        for reason in RelayUnroutable.allCases {
            #expect(!reason.senderNotice(recipient: nil, recipientPlatform: nil, platform: .webex).isEmpty)
        }
        #expect(RelayUnroutable.recipientNotSynced.recipientReminder(sender: "Alan", platform: .zoom).contains("Alan tried to message you from Zoom"))
    }

    @Test func thePersonaLabelNamesThePlatformWrittenOn() {
        #expect(relayLabel(from: .slack) == "via Slack")
        #expect(relayLabel(from: .teams) == "via Microsoft Teams")
    }
}

/// Starting a conversation with a stand-in: the message to the bot names the recipient first.
struct RelayAddressingTests {
    @Test(arguments: [
        ("ada@example.com: hello there", "ada@example.com", "hello there"),
        ("  Ada@Example.com, hi", "ada@example.com", "hi"),
        ("to ada@example.com hello", "ada@example.com", "hello"),
        ("To: ada@example.com hello", "ada@example.com", "hello"),
        ("TO ada@example.com hello", "ada@example.com", "hello"),
        ("@ada@example.com hello", "ada@example.com", "hello"),
        ("<mailto:ada@example.com|ada@example.com> *bold* news", "ada@example.com", "*bold* news"),
        ("ada@example.com", "ada@example.com", ""),
    ])
    func aLeadingAddressNamesTheRecipient(text: String, email: String, rest: String) throws {
        let found = try #require(RelayAddressing.leadingAddress(in: text))
        #expect(found.email == email)
        #expect(found.rest == rest)
    }

    @Test(arguments: ["hello ada@example.com", "", "   ", "@channel hi", "ada@localhost hi", "to everyone", "a@b.c.", "<mailto:nope> hi"])
    func aMessageWithoutALeadingAddressNamesNoOne(text: String) {
        #expect(RelayAddressing.leadingAddress(in: text) == nil)
    }
}
