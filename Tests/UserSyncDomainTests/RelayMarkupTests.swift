import Foundation
import Testing
import UserSyncDomain

@Suite struct RelayMarkupTests {
    typealias Mention = RichText.Mention

    /// Slack ids ↔ Teams ids of two synced people, both ways.
    static let people: [String: Mention] = [
        "U1ADA": Mention(userID: "29:ada", name: "Ada Lovelace"), "29:ada": Mention(userID: "U1ADA", name: "Ada Lovelace"),
        "U2GRACE": Mention(userID: "29:grace", name: "Grace Hopper"), "29:grace": Mention(userID: "U2GRACE", name: "Grace Hopper"),
    ]
    func synced(_ mention: Mention) -> Mention? { Self.people[mention.userID] }

    @Test func eachPlatformWritesItsMarkup() {
        #expect(Platform.slack.markup == .slackMrkdwn)
        #expect(Platform.teams.markup == .teamsHTML)
        #expect(Platform.webex.markup == .webexMarkdown)
        #expect(Platform.zoom.markup == .zoomMarkdown)
    }

    @Test func slackToTeamsMapsSyncedMentionsAndNamesTheOthers() {
        let slack = "*Hi* <@U1ADA>, meet <@U9NEW|Linus> and <@U8NONAME>: <https://example.com/doc|the doc>"
        #expect(
            RichText.convert(slack, from: .slackMrkdwn, to: .teamsHTML, mentions: synced)
                == #"<b>Hi</b> <at id="29:ada">Ada Lovelace</at>, meet @Linus and @U8NONAME: <a href="https://example.com/doc">the doc</a>"#)
        let known = RichText.convert("<@U8NONAME>", from: .slackMrkdwn, to: .webexMarkdown) { _ in Mention(userID: "", name: "Margaret") }
        #expect(known == "@Margaret", "a person the relay knows but who is not on the destination reads as their name")
    }

    @Test func teamsToSlackAndWebexAndZoomMapMentions() {
        let teams = #"<p>ping <at id="29:grace">Grace</at> &amp; <at id="29:other">Someone</at></p>"#
        #expect(RichText.convert(teams, from: .teamsHTML, to: .slackMrkdwn, mentions: synced) == "ping <@U2GRACE> &amp; @Someone")
        let webex = RichText.convert(teams, from: .teamsHTML, to: .webexMarkdown) { _ in Mention(userID: "Y2lz", name: nil) }
        #expect(webex == #"ping <@personId:Y2lz|Grace> \& <@personId:Y2lz|Someone>"#, "the source's name shows when the destination has none")
        #expect(RichText.convert(teams, from: .teamsHTML, to: .zoomMarkdown, mentions: synced) == #"ping @Grace Hopper \& @Someone"#)
    }

    @Test func theRelayListsMentionedIDsBeforeConverting() {
        #expect(RichText(parsing: "<@U1> <@U2|b> <@U1> `<@U3>`", as: .slackMrkdwn).mentionedUserIDs == ["U1", "U2"])
        #expect(RichText(parsing: "**<@personId:A|x>** <@personId:B>", as: .webexMarkdown).mentionedUserIDs == ["A", "B"])
        #expect(RichText(parsing: "no one", as: .teamsHTML).mentionedUserIDs.isEmpty)
    }

    static let message = RichText([
        .text("Hi "), .mention(Mention(userID: "U1ADA", name: "Ada Lovelace")), .text(", "), .bold([.text("please")]), .text(" "),
        .italic([.text("read")]), .text(" "), .strike([.text("skim")]), .text(" "), .link(url: "https://example.com/a?b=1&c=2", label: "this"),
        .text(" or "), .link(url: "https://example.com/x_y", label: nil), .text(" and run "), .code("make *all*"), .text(": 5 * 3 < 7 & ok"),
        .lineBreak, .codeBlock("for x in y {\n  print(\"<b>\")\n}"), .lineBreak, .text("thanks 🙏 — café"),
    ])

    @Test(arguments: [Markup.teamsHTML, .webexMarkdown, .zoomMarkdown])
    func aSlackMessageSurvivesTheRoundTripThroughAnotherMarkup(other: Markup) {
        let slack = Self.message.rendered(as: .slackMrkdwn)
        let there = RichText.convert(slack, from: .slackMrkdwn, to: other) { Self.people[$0.userID] ?? $0 }
        let back = RichText.convert(there, from: other, to: .slackMrkdwn) { Self.people[$0.userID] ?? $0 }
        if other == .zoomMarkdown {
            let named = slack.replacingOccurrences(of: "<@U1ADA>", with: "@Ada Lovelace")
            #expect(back == named, "Zoom markdown has no mentions: the name comes back as text")
        } else {
            #expect(back == slack, "\(there)")
        }
    }

    @Test func teamsToSlackToTeamsKeepsTheMessage() {
        let teams = RichText.convert(Self.message.rendered(as: .slackMrkdwn), from: .slackMrkdwn, to: .teamsHTML, mentions: synced)
        let slack = RichText.convert(teams, from: .teamsHTML, to: .slackMrkdwn, mentions: synced)
        #expect(RichText.convert(slack, from: .slackMrkdwn, to: .teamsHTML, mentions: synced) == teams)
        #expect(RichText(parsing: teams, as: .teamsHTML).plainText == Self.message.plainText)
    }

    @Test func webexToTeamsToWebexKeepsTheModel() {
        let webex = Self.message.rendered(as: .webexMarkdown)
        let parsed = RichText(parsing: webex, as: .webexMarkdown)
        #expect(parsed == Self.message)
        let teams = parsed.rendered(as: .teamsHTML)
        #expect(RichText(parsing: teams, as: .teamsHTML) == Self.message)
    }

    @Test func plainTextReadsWithoutMarkup() {
        #expect(
            Self.message.plainText
                == "Hi @Ada Lovelace, please read skim this or https://example.com/x_y and run make *all*: 5 * 3 < 7 & ok\n"
                + "for x in y {\n  print(\"<b>\")\n}\nthanks 🙏 — café")
        #expect(RichText(parsing: "<@U1> said *hi* in ```code```", as: .slackMrkdwn).plainText == "@U1 said hi in \ncode")
    }

    @Test(arguments: Markup.allCases)
    func emptyTextStaysEmpty(markup: Markup) {
        let text = RichText(parsing: "", as: markup)
        #expect(text.isEmpty)
        #expect(text.rendered(as: markup).isEmpty)
        #expect(text.plainText.isEmpty)
    }

    @Test(arguments: Markup.allCases)
    func emojiAndNonASCIITextPassThrough(markup: Markup) {
        let text = RichText([
            .bold([.text("héllo")]), .text(" 😀👩‍👩‍👧 "), .italic([.text("日本語")]), .text(" "), .strike([.text("straße")]), .text(" مرحبا "),
            .code("ß→∑"), .text("é"), .bold([.text("ü")]), .text("ñ"),
        ])
        let rendered = text.rendered(as: markup)
        #expect(RichText(parsing: rendered, as: markup).plainText == text.plainText, "\(rendered)")
        if markup != .slackMrkdwn {
            #expect(RichText(parsing: rendered, as: markup) == text, "\(rendered)")
        }
        let named = RichText([.mention(Mention(userID: "U1", name: "Zoë Ŝtraße"))]).rendered(as: markup) { _ in nil }
        #expect(named.contains("@Zoë Ŝtraße"), "\(named)")
    }

    @Test func textIsKeptNormalized() {
        #expect(RichText([.bold([.bold([.text("a")])]), .bold([.text("b")])]) == RichText([.bold([.text("ab")])]))
        #expect(RichText([.text("a\nb"), .text(""), .code(""), .italic([])]) == RichText([.text("a"), .lineBreak, .text("b")]))
        #expect(RichText([.bold([.text("a\r\nb")])]) == RichText([.bold([.text("a")]), .lineBreak, .bold([.text("b")])]))
        #expect(RichText([.text("x"), .codeBlock("y"), .text("z")]) == RichText([.text("x"), .lineBreak, .codeBlock("y"), .lineBreak, .text("z")]))
        #expect(
            RichText([.link(url: "", label: "just text"), .link(url: "u:x", label: "u:x")])
                == RichText([.text("just text"), .link(url: "u:x", label: nil)]))
        #expect(RichText([.mention(Mention(userID: "U1", name: ""))]) == RichText([.mention(Mention(userID: "U1"))]))
    }

    @Test func mentionIDsAMarkupCannotCarryAreWrittenAsNames() {
        let odd = RichText([.mention(Mention(userID: "a>b|c", name: "Odd"))])
        #expect(odd.rendered(as: .slackMrkdwn) == "@Odd")
        #expect(odd.rendered(as: .webexMarkdown) == "@Odd")
        #expect(RichText([.mention(Mention(userID: "P1", name: "Ev<il>\nName"))]).rendered(as: .webexMarkdown) == "<@personId:P1|Evil Name>")
    }
}
