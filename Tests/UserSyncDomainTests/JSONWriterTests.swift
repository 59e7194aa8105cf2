import Foundation
import Testing
import UserSyncDomain

/// The JSON written by hand (API representations, recordsets for the database, the simulator's
/// replies): valid, escaped, dated as Foundation's encoder would write it.
@Suite("Hand-written JSON: escaping, dates, structure")
struct JSONWriterTests {
    struct Text: JSONWritable {
        struct Values: Decodable { let values: [String] }
        let values: [String]
        func write(to json: inout JSONWriter) { json.object { $0.member("values", values) } }
    }

    @Test("every string survives a round trip, control characters and quotes escaped")
    func strings() throws {
        let values = [
            "", "plain", "quote \" and backslash \\", "line\nbreak\rreturn\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}",
            "<img src=x onerror=alert(1)>", "Zoë 🇸🇪 名前", "slash / and \u{2028}",
        ]
        let bytes = JSONWriter.bytes(of: Text(values: values))
        #expect(try JSONDecoder().decode(Text.Values.self, from: Data(bytes)).values == values)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\n"), "no raw control character")
    }

    @Test("dates as the encoder's ISO 8601: UTC to the second, fractions dropped")
    func dates() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for date in [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_304_123.999), Date(timeIntervalSince1970: 951_782_400),
            Date(timeIntervalSince1970: 4_102_444_799),
        ] {
            var writer = JSONWriter()
            writer.value(date)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try encoder.encode(date), as: UTF8.self))
        }
    }

    @Test("ids as the API spells them everywhere: lowercase, hyphenated")
    func identifiers() {
        for id in [
            PersonID.random(), PersonID(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!),
            PersonID(UUID(uuidString: "FFFFFFFF-ABCD-EF01-2345-6789ABCDEF0A")!),
        ] {
            var writer = JSONWriter()
            writer.value(id)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"\(id.description)\"")
        }
    }

    @Test("commas between members and elements, none in empty objects and arrays, null for nothing")
    func structure() {
        var writer = JSONWriter()
        writer.object { json in
            json.member("a", [String]())
            json.key("b")
            json.object { _ in }
            json.member("c", nil as String?)
            json.key("d")
            json.array([1, 2, 3]) { $0.value($1) }
            json.member("e", true)
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":[],"b":{},"c":null,"d":[1,2,3],"e":true}"#)
    }

    @Test("dates to the millisecond for the database, truncated like the seconds")
    func milliseconds() {
        for (seconds, text) in [
            (0.0, "1970-01-01T00:00:00.000Z"), (1_796_304_123.999_9, "2026-12-03T13:22:03.999Z"), (1_796_304_123.042, "2026-12-03T13:22:03.042Z"),
        ] {
            var writer = JSONWriter()
            writer.value(Date(timeIntervalSince1970: seconds), milliseconds: true)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"\(text)\"")
        }
    }

    @Test("keys known only at run time are escaped like strings; numbers as Swift spells them, JSON's way")
    func runTimeKeysAndNumbers() throws {
        var writer = JSONWriter()
        writer.object { json in
            json.key("a \"b\"\n")
            json.value(2.5)
            json.key("inf")
            json.value(Double.infinity)
            json.key("id")
            json.value(UUID(uuidString: "FFFFFFFF-ABCD-EF01-2345-6789ABCDEF0A")!)
        }
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == #"{"a \"b\"\n":2.5,"inf":null,"id":"ffffffff-abcd-ef01-2345-6789abcdef0a"}"#)
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
    }
}
