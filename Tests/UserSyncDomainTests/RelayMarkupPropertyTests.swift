import Testing
import UserSyncDomain

/// Generated texts over small alphabets of markup pieces, from fixed seeds: every text must parse,
/// and what it reads as must survive being written and read again.
@Suite struct RelayMarkupPropertyTests {
    /// SplitMix64: the same strings on every run and machine.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }

    static let characters: [String] = [
        "*", "_", "~", "`", "<", ">", "&", "[", "]", "(", ")", "|", "@", "\\", "#", "!", ":", "/", ";", "\"", "'", " ", " ", "\n", "a", "b",
        "é", "😀", "h", "http://x.y/",
    ]

    static let pieces: [String] =
        characters + [
            "**", "~~", "```", "&amp;", "&lt;", "&gt;", "&#39;", "&nbsp;", "<b>", "</b>", "<i>", "</i>", "<p>", "</p>", "<br>", "<pre>",
            "</pre>", "<code>", "</code>", #"<a href="https://q.example/">"#, "</a>", #"<at id="29:a">"#, "</at>", "<@U1>", "<@U2|bo>",
            "<@personId:P1|Pat>", "<https://s.example|s>", "[l](https://m.example)", "<!here>", "<#C1|gen>", "<mailto:a@b.c|a@b.c>",
        ]

    static func strings(from alphabet: [String], seed: UInt64, count: Int, maximumLength: Int) -> [String] {
        var generator = SeededGenerator(state: seed)
        return (0..<count).map { _ in
            let length = Int.random(in: 0...maximumLength, using: &generator)
            return (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
        }
    }

    @Test(arguments: Markup.allCases)
    func plainTextSurvivesEveryMarkup(markup: Markup) {
        for text in Self.strings(from: Self.characters, seed: 7, count: 1_500, maximumLength: 24) {
            let written = RichText(text: text).rendered(as: markup)
            #expect(RichText(parsing: written, as: markup).plainText == text, "\(text.debugDescription) → \(written.debugDescription)")
        }
    }

    @Test(arguments: Markup.allCases)
    func anyTextParsesAndReadsTheSameWrittenAgain(markup: Markup) {
        for text in Self.strings(from: Self.pieces, seed: 11, count: 1_500, maximumLength: 16) {
            // Slack writes a mention as its id alone: compare what the text reads as without names.
            let parsed = RichText(parsing: text, as: markup).withoutMentionNames(markup == .slackMrkdwn)
            let written = parsed.rendered(as: markup)
            let reread = RichText(parsing: written, as: markup)
            #expect(reread.plainText == parsed.plainText, "\(text.debugDescription) → \(written.debugDescription)")
            #expect(reread.mentionedUserIDs == parsed.mentionedUserIDs || markup == .zoomMarkdown, "\(text.debugDescription)")
        }
    }

    @Test func anyTextConvertsBetweenAnyTwoMarkups() {
        for text in Self.strings(from: Self.pieces, seed: 13, count: 400, maximumLength: 16) {
            for source in Markup.allCases {
                let parsed = RichText(parsing: text, as: source)
                for destination in Markup.allCases where destination != source {
                    let written = RichText.convert(text, from: source, to: destination) { _ in nil }
                    let reread = RichText(parsing: written, as: destination)
                    #expect(reread.mentionedUserIDs.isEmpty, "unmapped mentions are names, never ids: \(written.debugDescription)")
                    // A code block gains lines of its own in markdown; Slack breaks a fence inside code with U+200B.
                    #expect(
                        reread.plainText.filter { $0 != "\n" && $0 != "\u{200B}" } == parsed.plainText.filter { $0 != "\n" },
                        "\(source) → \(destination): \(text.debugDescription) → \(written.debugDescription)")
                }
            }
        }
    }

    @Test(arguments: Markup.allCases)
    func hostileInputParsesInLinearTime(markup: Markup) {
        // Each would take minutes if a parser rescanned the rest of the text per marker.
        let hostile = [
            String(repeating: "*", count: 40_000), String(repeating: "*a", count: 20_000), String(repeating: "_a ", count: 13_000),
            String(repeating: "`", count: 40_000), String(repeating: "`a``b", count: 8_000), String(repeating: "<", count: 40_000),
            String(repeating: "[a](", count: 10_000), String(repeating: "<b><i><s>x", count: 4_000), String(repeating: "&amp", count: 10_000),
            String(repeating: "***a", count: 10_000), String(repeating: "<a href='", count: 4_000), String(repeating: "http://x", count: 5_000),
        ]
        for text in hostile {
            let parsed = RichText(parsing: text, as: markup)
            for destination in Markup.allCases { _ = parsed.rendered(as: destination) }
            #expect(!parsed.plainText.isEmpty)
        }
    }
}

extension RichText {
    fileprivate func withoutMentionNames(_ dropping: Bool) -> RichText {
        guard dropping else { return self }
        func strip(_ spans: [Span]) -> [Span] {
            spans.map { span in
                switch span {
                case .mention(let mention): .mention(Mention(userID: mention.userID))
                case .bold(let children): .bold(strip(children))
                case .italic(let children): .italic(strip(children))
                case .strike(let children): .strike(strip(children))
                default: span
                }
            }
        }
        return RichText(strip(spans))
    }
}
