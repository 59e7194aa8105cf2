import Foundation
import Testing
import UserSyncDomain

/// The hand-written JSON parser: RFC 8259's grammar, strictly.
@Suite struct JSONValueTests {
    @Test func readsEscapesOtherWritersUse() throws {
        #expect(
            try JSONValue.parse(#" [ "\u00e9\ud83d\ude00\/\b\f\r" , -1.5e3, 0, -0.25E-2, 2.5e+1 ] "#)
                == .array([.string("é😀/\u{8}\u{C}\r"), .number(-1500), .number(0), .number(-0.0025), .number(25)]))
        #expect(try JSONValue.parse("[]") == .array([]))
        #expect(
            try JSONValue.parse(Array(#" {"a": {"b": [true, false, null]}} "#.utf8))
                == .object(["a": .object(["b": .array([.bool(true), .bool(false), .null])])]))
        #expect(try JSONValue.parse(#""plain""#) == .string("plain"))
    }

    @Test(arguments: [
        "", "[", "[1,]", "[1 2]", "{\"a\" 1}", "\"open", "[tru]", "[\"\\x\"]", "[\"\\ud83d\"]", "[1] x", "{1: 2}", "01", "1.", "-", "1e", ".5",
        "+1", "[\"\\u12\"]", "[\"\\u+123\"]", "\"a\u{01}b\"", "\"tab\there\"",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONValue.Malformed.self) { try JSONValue.parse(text) }
    }

    @Test func refusesNestingBeyondItsDepthWithoutCrashing() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONValue.Malformed.self) { try JSONValue.parse(deep) }
        let allowed = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        _ = try JSONValue.parse(allowed)
    }
}
