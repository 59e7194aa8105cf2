import Foundation
import Testing

@testable import UserSyncConnectors

@Suite struct FormEncodingTests {
    @Test func aFormEscapesAllButTheUnreservedCharactersAsUpperCaseUTF8Bytes() {
        #expect(
            FormEncoding.encode([("text", "Héllo, wörld & 100% 🎉"), ("redirect_uri", "https://x.test/cb?a=1#f"), ("e", "")])
                == "text=H%C3%A9llo%2C%20w%C3%B6rld%20%26%20100%25%20%F0%9F%8E%89&redirect_uri=https%3A%2F%2Fx.test%2Fcb%3Fa%3D1%23f&e=")
        #expect(FormEncoding.escape("AZaz09-._~") == "AZaz09-._~")
    }

    /// The same bytes as Foundation's `addingPercentEncoding` with RFC 3986's unreserved set,
    /// which the connectors used before, for every printable ASCII character and a mix of others.
    @Test func escapingMatchesFoundations() {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let printable = String(decoding: (0x20...0x7E).map { UInt8($0) }, as: UTF8.self)
        for value in [printable, "\t\n\r", "ĀΩЖ中文", "👩‍👩‍👧 x", "a+b=c;d", String(repeating: "é", count: 300)] {
            #expect(FormEncoding.escape(value) == value.addingPercentEncoding(withAllowedCharacters: unreserved), "\(value)")
        }
    }
}
