import Testing
import UserSyncDomain

@Suite struct RelayMarkupSlackTests {
    func parse(_ text: String) -> RichText { RichText(parsing: text, as: .slackMrkdwn) }

    @Test func stylesAndCodeAreRead() {
        #expect(
            parse("*bold* _italic_ ~strike~ `code`")
                == RichText([
                    .bold([.text("bold")]), .text(" "), .italic([.text("italic")]), .text(" "), .strike([.text("strike")]), .text(" "),
                    .code("code"),
                ]))
        #expect(parse("*bold _and italic_*") == RichText([.bold([.text("bold "), .italic([.text("and italic")])])]))
        #expect(parse("(*loud*)") == RichText([.text("("), .bold([.text("loud")]), .text(")")]))
    }

    @Test func codeKeepsItsContentLiterally() {
        #expect(parse("`*not bold* <@U1>`") == RichText([.code("*not bold* <@U1>")]))
        #expect(parse("```let x = *1* &amp;&amp; _y_```") == RichText([.codeBlock("let x = *1* && _y_")]))
        #expect(
            parse("before ```\nline 1\n  line 2\n``` after")
                == RichText([.text("before "), .lineBreak, .codeBlock("line 1\n  line 2"), .lineBreak, .text(" after")]))
    }

    @Test func linksWithAndWithoutLabels() {
        #expect(
            parse("<https://example.com|Example> and <https://example.com/a?b=1&amp;c=2>")
                == RichText([
                    .link(url: "https://example.com", label: "Example"), .text(" and "),
                    .link(url: "https://example.com/a?b=1&c=2", label: nil),
                ]))
        #expect(parse("<mailto:ada@example.com|ada@example.com>") == RichText([.link(url: "mailto:ada@example.com", label: "ada@example.com")]))
        #expect(parse("<https://example.com|https://example.com>") == RichText([.link(url: "https://example.com", label: nil)]))
    }

    @Test func mentionsCarrySlackIDsAndOptionalNames() {
        let text = parse("hi <@U123ABC> and <@U456|grace>, again <@U123ABC>")
        #expect(
            text
                == RichText([
                    .text("hi "), .mention(.init(userID: "U123ABC")), .text(" and "), .mention(.init(userID: "U456", name: "grace")),
                    .text(", again "), .mention(.init(userID: "U123ABC")),
                ]))
        #expect(text.mentionedUserIDs == ["U123ABC", "U456"])
    }

    @Test func channelsAndSpecialMentionsReadAsTheirText() {
        #expect(parse("<!here> see <#C1|general> or <#C2>, <!subteam^S1|@oncall>").plainText == "@here see #general or #C2, @oncall")
    }

    @Test func entitiesAreDecoded() {
        #expect(parse("a &lt;b&gt; &amp;amp; c &copy;") == RichText(text: "a <b> &amp; c &copy;"))
    }

    @Test func markersInsideWordsAndUnbalancedMarkersAreText() {
        for text in [
            "snake_case_name", "2*3*4", "*bold without end", "half_", "~ ~", "**", "a * b * c", "`unclosed", "``", "<https://x", "< not a link >",
        ] {
            #expect(parse(text).plainText == text, "\(text)")
            #expect(parse(text).spans.allSatisfy { if case .text = $0 { true } else { false } }, "\(text)")
        }
    }

    @Test func stylesDoNotSpanLines() {
        #expect(parse("*a\nb*") == RichText(text: "*a\nb*"))
    }

    @Test func rendersEachSpan() {
        let text = RichText([
            .bold([.text("hi")]), .text(" "), .italic([.text("there")]), .text(" "), .strike([.text("old")]), .text(" "), .code("x < y"),
            .text(" "), .link(url: "https://example.com/?a=1&b=2", label: "docs"), .text(" "), .link(url: "https://example.com", label: nil),
            .text(" "), .mention(.init(userID: "U1", name: "Ada")), .lineBreak, .codeBlock("a & b"),
        ])
        #expect(
            text.rendered(as: .slackMrkdwn)
                == "*hi* _there_ ~old~ `x &lt; y` <https://example.com/?a=1&amp;b=2|docs> <https://example.com> <@U1>\n```\na &amp; b\n```")
    }

    @Test func literalMarkersAreEscapedWithZeroWidthSpacesAndReadBack() {
        let text = RichText(text: "5 * 3 <b> & _x_ `y`")
        let rendered = text.rendered(as: .slackMrkdwn)
        #expect(rendered == "5 \u{200B}*\u{200B} 3 &lt;b&gt; &amp; \u{200B}_\u{200B}x\u{200B}_\u{200B} \u{200B}`\u{200B}y\u{200B}`\u{200B}")
        #expect(parse(rendered) == text)
    }

    @Test func stylesMoveEdgeWhitespaceOutAndAreDroppedInsideWords() {
        #expect(RichText([.text("a"), .bold([.text(" b ")]), .text("c")]).rendered(as: .slackMrkdwn) == "a *b* c")
        #expect(RichText([.text("un"), .bold([.text("believ")]), .text("able")]).rendered(as: .slackMrkdwn) == "unbelievable")
        #expect(RichText([.bold([.text(" ")])]).rendered(as: .slackMrkdwn) == " ")
    }

    @Test func aStyleNextToAnEscapedMarkerStillReadsBack() {
        let next = RichText([.text("a*"), .bold([.text("b")]), .text("~")])
        #expect(next.rendered(as: .slackMrkdwn) == "a\u{200B}*\u{200B}*b*\u{200B}~\u{200B}")
        #expect(parse(next.rendered(as: .slackMrkdwn)) == next)
        let between = RichText([.text("x "), .bold([.text("*")]), .text("*")])
        #expect(parse(between.rendered(as: .slackMrkdwn)).plainText == "x **", "no marker between two escapes: the style goes, the text stays")
    }

    @Test func adjacentCodeReadsAsOneSpan() {
        #expect(parse("`a``b`") == RichText([.code("ab")]))
    }

    @Test func codeWithABacktickIsWrittenAsABlock() {
        #expect(RichText([.code("a`b")]).rendered(as: .slackMrkdwn) == "```\na`b\n```")
        #expect(RichText([.codeBlock("x```y")]).rendered(as: .slackMrkdwn) == "```\nx``\u{200B}`y\n```")
    }

    @Test func linksOfOtherSchemesAreText() {
        #expect(RichText([.link(url: "javascript:alert(1)", label: "click")]).rendered(as: .slackMrkdwn) == "click")
    }
}
