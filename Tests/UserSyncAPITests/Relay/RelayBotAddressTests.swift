import Testing

@testable import UserSyncUseCases

/// The address a message to the app's bot starts with, after any mentions of the bot itself.
struct RelayBotAddressTests {
    @Test(arguments: [
        ("<@U0BOT> ada@example.com: hi", "ada@example.com", "hi"),
        ("<@U0BOT><@U0BOT> TO ada@example.com hi", "ada@example.com", "hi"),
        ("<mailto:ada@example.com|ada@example.com> hi", "ada@example.com", "hi"),
    ])
    func theAddressAfterTheBotsMentionsNamesTheRecipient(text: String, email: String, rest: String) throws {
        let found = try #require(RelayDelivery.address(in: text))
        #expect(found.0 == email)
        #expect(found.1 == rest)
    }

    @Test(arguments: ["<@U0BOT> hello", "<@U0BOT>", "hello " + String(repeating: "long text ", count: 1_000), "<@U0BOT unclosed ada@example.com"])
    func aMessageWithoutOneNamesNoOne(text: String) {
        #expect(RelayDelivery.address(in: text) == nil)
    }
}
