import Foundation
import Testing

@testable import UserSyncSimulator

/// The simulator's own JSON reader and writer, checked against Foundation's `JSONSerialization`.
@Suite struct SimulatorJSONTests {
    static let documents = [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e","f":[]},"g":{}}"#,
        #" { "text" : "tab\there \"quoted\" back\\slash \/ é \u00e9 \ud83d\ude00 \u2028" } "#,
        #"[0,-12,3.5,1e3,-0.25E-2,2.5e+1,9007199254740993]"#,
        "{\"raw\":\"Zoë 中文 👩‍👩‍👧\",\n\"n\":\r\n-1}",
        #""just a string""#, "true", "null", "42", "[[[[[]]]]]",
    ]

    /// A value as Foundation writes it with sorted keys: equal values, equal text.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    static func foundation(_ text: String) throws -> String {
        try canonical(try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed))
    }

    @Test(arguments: documents)
    func readsWhatFoundationReads(_ text: String) throws {
        let value = try #require(AnyCodable.parse(json: Array(text.utf8)))
        #expect(try Self.canonical(value.foundationValue) == Self.foundation(text))
        // What it writes reads back the same.
        #expect(try Self.foundation(String(decoding: value.json, as: UTF8.self)) == Self.foundation(text))
    }

    @Test func readsAnIntegerTooLargeForIntAsADouble() {
        guard case .double(let value) = AnyCodable.parse(json: Array("12345678901234567890".utf8)) else {
            Issue.record("not a double")
            return
        }
        #expect(value == 12_345_678_901_234_567_890)
    }

    @Test(arguments: [
        "", "{", #"{"a":}"#, #"{"a":1,}"#, "[1 2]", "[1,]", #""\x""#, "01", "1.", "-", "1e", #"{"a":1} x"#, #"{a:1}"#, "tru", "nul",
        #""\u12""#, #""\ud800""#, #""\ud800\u0041""#, "\"a\u{01}b\"", #"{"a" 1}"#, "[1]]",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(AnyCodable.parse(json: Array(text.utf8)) == nil, "\(text)")
    }

    @Test func refusesNestingBeyondItsDepthWithoutCrashing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(AnyCodable.parse(json: Array(deep.utf8)) == nil)
        let shallow = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(AnyCodable.parse(json: Array(shallow.utf8)) != nil)
    }

    /// A JSON body's members as a Slack form carries them: objects and lists as the JSON sent.
    @Test func readsAnObjectsMembersAsFormFields() throws {
        let blocks = #"[{"type":"section","text":{"type":"mrkdwn","text":"<https://x.test/a?b=1|Go> \"now\""}}]"#
        let body = #"{"text":"hi \"there\"\n","blocks":  "# + blocks + #" ,"n":1.50,"i":-3,"ok":true,"none":null,"meta":{}}"#
        let fields = try #require(AnyCodable.fields(json: Array(body.utf8)))
        #expect(fields == ["text": "hi \"there\"\n", "blocks": blocks, "n": "1.50", "i": "-3", "ok": "true", "none": "", "meta": "{}"])
        #expect(AnyCodable.fields(json: Array("[1]".utf8)) == nil)
        #expect(AnyCodable.fields(json: Array(#"{"a":[1}"#.utf8)) == nil)
        #expect(AnyCodable.fields(json: Array("{}".utf8)) == [:])
    }

    @Test func writesCompactJSONWithSlashesUnescapedAndControlsEscaped() {
        let value: AnyCodable = .array([.string("a/b\n\t\r\u{01}\"\\é"), .int(-7), .double(2.5), .bool(false), .null, .object(["k": .array([])])])
        #expect(String(decoding: value.json, as: UTF8.self) == #"["a/b\n\t\r\u0001\"\\é",-7,2.5,false,null,{"k":[]}]"#)
        #expect(String(decoding: AnyCodable.double(.infinity).json, as: UTF8.self) == "null")
    }
}
