import Foundation
import Testing

@testable import UserSyncSimulator

/// The simulator's own JSON reader and writer, checked against Foundation's `JSONSerialization`.
@Suite struct SimulatorJSONTests {
    static let documents = [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e","f":[]},"g":{}}"#,
        #" { "text" : "tab\there \"quoted\" back\\slash \/ é \u00e9 \ud83d\ude00 \u2028" } "#,
        #"[0,-12,3.5,1e3,-0.25E-2,2.5e+1,4503599627370497]"#,
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

    @Test func refusesWhatIsNotJSON() {
        for text in ["", "{", #"{"a":1,}"#, "01", #""\ud800""#, "\"a\u{01}b\""] {
            #expect(AnyCodable.parse(json: Array(text.utf8)) == nil, "\(text)")
        }
    }

    /// A JSON body's members as a Slack form carries them: objects and lists as JSON text.
    @Test func readsAnObjectsMembersAsFormFields() throws {
        let blocks = #"[{"type":"section","text":{"type":"mrkdwn","text":"<https://x.test/a?b=1|Go> \"now\""}}]"#
        let body = #"{"text":"hi \"there\"\n","blocks":  "# + blocks + #" ,"n":1.50,"i":-3,"ok":true,"none":null,"meta":{}}"#
        var fields = try #require(AnyCodable.fields(json: Array(body.utf8)))
        // The list as JSON text: the same value as sent.
        let sent = try #require(fields.removeValue(forKey: "blocks") as String?)
        #expect(try Self.foundation(sent) == Self.foundation(blocks))
        #expect(fields == ["text": "hi \"there\"\n", "n": "1.5", "i": "-3", "ok": "true", "none": "", "meta": "{}"])
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
