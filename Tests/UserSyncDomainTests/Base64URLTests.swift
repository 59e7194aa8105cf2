import Foundation
import Testing
import UserSyncDomain

@Suite struct Base64URLTests {
    /// Foundation's base64 with the URL alphabet and no padding, for every length up to 70 bytes,
    /// every byte value, and back.
    @Test func matchesFoundationsBase64InTheURLAlphabetAndReadsBack() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let data = Data((0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            let expected = data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(data.base64URL == expected, "\(length) bytes")
            #expect(Data(base64URL: data.base64URL) == data)
        }
        let every = Data((0...255).map { UInt8($0) })
        #expect(Data(base64URL: every.base64URL) == every)
        #expect(Data([0xFB, 0xFF]).base64URL == "-_8")
        #expect(Data("ab".utf8).base64URL == "YWI")
    }
}
