import Testing
import UserSyncDomain

@Suite struct RelayMarkupTeamsTests {
    func parse(_ text: String) -> RichText { RichText(parsing: text, as: .teamsHTML) }

    @Test func everyStyleTagIsRead() {
        let html = "<b>b</b> <strong>strong</strong> <i>i</i> <em>em</em> <s>s</s> <strike>strike</strike> <del>del</del> <code>c</code>"
        #expect(
            parse(html)
                == RichText([
                    .bold([.text("b")]), .text(" "), .bold([.text("strong")]), .text(" "), .italic([.text("i")]), .text(" "),
                    .italic([.text("em")]), .text(" "), .strike([.text("s")]), .text(" "), .strike([.text("strike")]), .text(" "),
                    .strike([.text("del")]), .text(" "), .code("c"),
                ]))
    }

    @Test func paragraphsAndBreaksAreLineBreaks() {
        #expect(parse("<p>one</p><p>two</p>\n<p>  three</p>") == RichText(text: "one\ntwo\nthree"))
        #expect(parse("<div><div>a</div><div>b<br>c<br/>d</div></div>") == RichText(text: "a\nb\nc\nd"))
        #expect(parse("plain\nactivity text") == RichText(text: "plain\nactivity text"))
        #expect(parse("a<br>\nb") == RichText(text: "a\nb"))
    }

    @Test func linksWithAndWithoutLabels() {
        #expect(
            parse(#"<a href="https://example.com/?a=1&amp;b=2" title="t">Example <b>site</b></a>"#)
                == RichText([.link(url: "https://example.com/?a=1&b=2", label: "Example site")]))
        #expect(parse("<a href='https://example.com'>https://example.com</a>") == RichText([.link(url: "https://example.com", label: nil)]))
        #expect(parse("<a name=top>anchor</a>") == RichText(text: "anchor"))
    }

    @Test func atMentionsCarryTheIDAndName() {
        let text = parse(#"hi <at id="29:ada">Ada Lovelace</at> and <at>Grace</at>"#)
        #expect(text == RichText([.text("hi "), .mention(.init(userID: "29:ada", name: "Ada Lovelace")), .text(" and @Grace")]))
        #expect(text.mentionedUserIDs == ["29:ada"])
    }

    @Test func codeKeepsItsContentLiterally() {
        #expect(parse("<code>a &lt; <b>b</b></code>") == RichText([.code("a < b")]))
        #expect(parse("<pre>\nx = *1*<br>  _y_\nz</pre>") == RichText([.codeBlock("x = *1*\n  _y_\nz")]))
        #expect(parse(#"<codeblock class=""><code>let a = 1</code></codeblock>"#) == RichText([.codeBlock("let a = 1")]))
    }

    @Test func entitiesAreDecoded() {
        #expect(
            parse("&amp; &lt; &gt; &quot; &#39; &apos;&nbsp;&#x1F600; &#233; &bogus; & alone") == RichText(text: "& < > \" ' ' 😀 é &bogus; & alone"))
    }

    @Test func unknownTagsKeepTheirText() {
        #expect(
            parse(#"<span style="color:red">kept</span> <u>under</u><script>alert(1)</script><!-- note -->"#) == RichText(text: "kept underalert(1)"))
        #expect(parse(#"<emoji id="smile" alt="😄" title="Smile"></emoji> <img alt="cat" src="x">"#) == RichText(text: "😄 cat"))
        #expect(parse("a < b and c > d, 1<2") == RichText(text: "a < b and c > d, 1<2"))
    }

    @Test func tagsCloseLeniently() {
        #expect(parse("<b>bold <i>both</b> after</i>") == RichText([.bold([.text("bold "), .italic([.text("both")])]), .text(" after")]))
        #expect(parse("<b>never closed") == RichText([.bold([.text("never closed")])]))
        #expect(parse("stray </b> close") == RichText(text: "stray  close"))
    }

    @Test func rendersEachSpan() {
        let text = RichText([
            .bold([.text("b")]), .italic([.text("i")]), .strike([.text("s")]), .code("x<y"), .text(" "),
            .link(url: "https://example.com/?a=1&b=2", label: "docs"), .link(url: "https://example.com", label: nil),
            .mention(.init(userID: "29:ada", name: "Ada")), .lineBreak, .codeBlock("a && b"),
        ])
        #expect(
            text.rendered(as: .teamsHTML)
                == #"<b>b</b><i>i</i><s>s</s><code>x&lt;y</code> <a href="https://example.com/?a=1&amp;b=2">docs</a>"#
                + #"<a href="https://example.com">https://example.com</a><at id="29:ada">Ada</at><br><pre>a &amp;&amp; b</pre>"#)
    }

    @Test func textFromSlackNeverBecomesHTML() {
        let escaped = RichText.convert("&lt;script&gt;alert('hi')&lt;/script&gt;", from: .slackMrkdwn, to: .teamsHTML) { $0 }
        #expect(escaped == "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;")
        let raw = RichText.convert("<script>alert(1)</script> <img src=x onerror=alert(1)>", from: .slackMrkdwn, to: .teamsHTML) { $0 }
        #expect(raw == "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;")
        let link = RichText.convert(#"<https://x.example/"onmouseover="alert(1)|x>"#, from: .slackMrkdwn, to: .teamsHTML) { $0 }
        #expect(link == #"<a href="https://x.example/&quot;onmouseover=&quot;alert(1)">x</a>"#)
        #expect(RichText.convert("<javascript:alert(1)|click>", from: .slackMrkdwn, to: .teamsHTML) { $0 } == "click")
        let mention = RichText([.mention(.init(userID: #"x" onclick="y"#, name: "<b>Eve</b>"))]).rendered(as: .teamsHTML)
        #expect(mention == #"<at id="x&quot; onclick=&quot;y">&lt;b&gt;Eve&lt;/b&gt;</at>"#)
    }

    @Test func aLeadingNewlineOfABlockSurvivesThePre() {
        let text = RichText([.codeBlock("\nindented")])
        #expect(text.rendered(as: .teamsHTML) == "<pre>\n\nindented</pre>")
        #expect(parse(text.rendered(as: .teamsHTML)) == text)
    }
}
