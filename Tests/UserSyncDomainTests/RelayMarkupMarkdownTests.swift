import Testing
import UserSyncDomain

@Suite struct RelayMarkupMarkdownTests {
    func webex(_ text: String) -> RichText { RichText(parsing: text, as: .webexMarkdown) }
    func zoom(_ text: String) -> RichText { RichText(parsing: text, as: .zoomMarkdown) }

    @Test(arguments: [Markup.webexMarkdown, .zoomMarkdown])
    func stylesAndCodeAreRead(markup: Markup) {
        #expect(
            RichText(parsing: "**bold** *italic* _also_ __strong__ ~~strike~~ `code`", as: markup)
                == RichText([
                    .bold([.text("bold")]), .text(" "), .italic([.text("italic")]), .text(" "), .italic([.text("also")]), .text(" "),
                    .bold([.text("strong")]), .text(" "), .strike([.text("strike")]), .text(" "), .code("code"),
                ]))
        #expect(RichText(parsing: "***both***", as: markup) == RichText([.bold([.italic([.text("both")])])]))
        #expect(RichText(parsing: "**bold _and italic_**", as: markup) == RichText([.bold([.text("bold "), .italic([.text("and italic")])])]))
    }

    @Test func codeKeepsItsContentLiterally() {
        #expect(webex("`**not bold** [x](y)`") == RichText([.code("**not bold** [x](y)")]))
        #expect(webex("`` a`b `` and ` `` `") == RichText([.code("a`b"), .text(" and "), .code("``")]))
        #expect(webex("```swift\nlet a = *1*\n```") == RichText([.codeBlock("let a = *1*")]))
        #expect(
            webex("see\n```\n<@personId:X|Y>\n```\ndone")
                == RichText([.text("see"), .lineBreak, .codeBlock("<@personId:X|Y>"), .lineBreak, .text("done")]))
    }

    @Test func linksWithAndWithoutLabels() {
        #expect(
            webex("[the *docs*](https://example.com/a_(b)) and https://example.com/a_b_c. or <https://example.com/x>")
                == RichText([
                    .link(url: "https://example.com/a_(b)", label: "the docs"), .text(" and "), .link(url: "https://example.com/a_b_c", label: nil),
                    .text(". or "), .link(url: "https://example.com/x", label: nil),
                ]))
        #expect(webex("[no url]() [a] (b) [x](has space)") == RichText(text: "[no url]() [a] (b) [x](has space)"))
    }

    @Test func webexMentionsAreReadAndZoomsAreNot() {
        let text = webex("hi <@personId:Y2lzY29:abc|Ada Lovelace> and <@personId:Z2>, <@personEmail:g@example.com|Grace> <@all>")
        #expect(
            text
                == RichText([
                    .text("hi "), .mention(.init(userID: "Y2lzY29:abc", name: "Ada Lovelace")), .text(" and "), .mention(.init(userID: "Z2")),
                    .text(", @Grace @all"),
                ]))
        #expect(text.mentionedUserIDs == ["Y2lzY29:abc", "Z2"])
        #expect(zoom("hi <@personId:Y|Ada> @Grace") == RichText(text: "hi <@personId:Y|Ada> @Grace"))
    }

    @Test func escapesAndUnbalancedMarkersAreText() {
        #expect(webex(#"\*not italic\* 2\_3 \[x\](y) \\"#) == RichText(text: #"*not italic* 2_3 [x](y) \"#))
        for text in ["snake_case_name", "**open and *half", "~single~", "a * b", "`unclosed", "[unclosed](x", "<not a tag", "x_"] {
            #expect(webex(text).plainText == text, "\(text)")
            #expect(webex(text).spans.allSatisfy { if case .text = $0 { true } else { false } }, "\(text)")
        }
    }

    @Test func aBlankLineEndsOpenMarkers() {
        #expect(webex("**a\nb**") == RichText([.bold([.text("a")]), .lineBreak, .bold([.text("b")])]))
        #expect(webex("**a\n\nb**") == RichText(text: "**a\n\nb**"))
    }

    @Test func rendersEachSpan() {
        let text = RichText([
            .bold([.text("b")]), .text(" "), .italic([.text("i")]), .text(" "), .strike([.text("s")]), .text(" "), .code("x*y"), .text(" "),
            .link(url: "https://example.com/a b", label: "the [docs]"), .text(" "), .link(url: "https://example.com", label: nil), .text(" "),
            .mention(.init(userID: "Y2l", name: "Ada Lovelace")), .codeBlock("let a = 1"),
        ])
        #expect(
            text.rendered(as: .webexMarkdown)
                == "**b** _i_ ~~s~~ `x*y` [the \\[docs\\]](https://example.com/a%20b) https://example.com <@personId:Y2l|Ada Lovelace>\n```\nlet a = 1\n```"
        )
        #expect(
            text.rendered(as: .zoomMarkdown)
                == "**b** _i_ ~~s~~ `x*y` [the \\[docs\\]](https://example.com/a%20b) https://example.com @Ada Lovelace\n```\nlet a = 1\n```")
    }

    @Test func literalMarkupIsBackslashEscaped() {
        let text = RichText(text: #"a*b_c ~~d~~ `e` [f](g) <@personId:h> & \"#)
        let rendered = text.rendered(as: .webexMarkdown)
        #expect(rendered == #"a\*b\_c \~\~d\~\~ \`e\` \[f\](g) \<@personId:h\> \& \\"#)
        #expect(webex(rendered) == text)
    }

    @Test func italicInsideAWordUsesStars() {
        #expect(RichText([.text("un"), .italic([.text("believ")]), .text("able")]).rendered(as: .webexMarkdown) == "un*believ*able")
        #expect(webex("un*believ*able") == RichText([.text("un"), .italic([.text("believ")]), .text("able")]))
    }

    @Test func aStyleRightAfterABareURLKeepsTheURL() {
        let text = RichText([.text("see http://x.example/"), .strike([.text("old")]), .text(" now")])
        let written = text.rendered(as: .webexMarkdown)
        #expect(written == "see http://x.example/old now", "a ~~ would become part of the URL")
        #expect(webex(written).plainText == text.plainText)
    }

    @Test func codeFencesOutgrowTheBackticksInside() {
        let text = RichText([.codeBlock("a\n```\nb")])
        #expect(text.rendered(as: .webexMarkdown) == "````\na\n```\nb\n````")
        #expect(webex(text.rendered(as: .webexMarkdown)) == text)
        #expect(RichText([.code("`x")]).rendered(as: .webexMarkdown) == "`` `x ``")
        #expect(RichText([.code("a`b")]).rendered(as: .webexMarkdown) == "``a`b``")
    }
}
