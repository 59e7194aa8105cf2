import Foundation
import Testing
import UserSyncDomain
import UserSyncSecrets

@Suite struct ScopedTokenTests {
    @Test func aTokenNamesItsOrganizationAndParsesBack() throws {
        let org = OrganizationID.random()
        let token = ScopedToken(prefix: "usk", organizationID: org)
        let parsed = try #require(ScopedToken(parsing: token.value, prefix: "usk"))
        #expect(parsed.organizationID == org)
        #expect(parsed.hash == token.hash)
        #expect(token.hash.count == 32)
        #expect(token.value.hasPrefix("usk_"))
        #expect(token.value.hasSuffix(token.hint) == false)
        #expect(token.value.contains("_" + token.hint))
        // Hex digits of either case name the same organization.
        let shouted = "usk_" + token.value.dropFirst(4).prefix(32).uppercased() + token.value.dropFirst(36)
        #expect(ScopedToken(parsing: shouted, prefix: "usk")?.organizationID == org)
    }

    @Test func aTokenSpellsItsOrganizationAsLowercaseHexAndItsSecretAsBase64URL() throws {
        let org = OrganizationID(try #require(UUID(text: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")))
        let value = ScopedToken(prefix: "usk", organizationID: org).value
        #expect(value.hasPrefix("usk_0a1b2c3d4e5f60718293a4b5c6d7e8f9_"))
        let secret = value.dropFirst("usk_0a1b2c3d4e5f60718293a4b5c6d7e8f9_".count)
        #expect(secret.count == 43)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(secret.allSatisfy(alphabet.contains))
        // 256 random bits: no two of many secrets alike, and every character of the alphabet used.
        let secrets = (0..<2_000).map { _ in randomSecret() }
        #expect(Set(secrets).count == secrets.count)
        #expect(Set(secrets.joined()) == alphabet)
    }

    @Test func tokensAreUnique() {
        let org = OrganizationID.random()
        let tokens = Set((0..<1000).map { _ in ScopedToken(prefix: "usk", organizationID: org).value })
        #expect(tokens.count == 1000)
    }

    @Test(arguments: [
        "", "usk", "usk_abc_def", "xyz_0123456789abcdef0123456789abcdef_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "usk_0123456789abcdef0123456789abcdeg_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "usk_0123456789abcdef0123456789abcdef_aaaa",
        "usk_0123456789abcdef0123456789abcdef_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
        "usk-0123456789abcdef0123456789abcdef_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "usk_0123456789abcdef0123456789abcdef-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "usk_0123456789abcdef0123456789abcdéf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "usk_0123456789abcdef0123456789abcdef_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaé",
    ])
    func malformedTokensDoNotParse(_ value: String) {
        #expect(ScopedToken(parsing: value, prefix: "usk") == nil)
    }

    @Test func constantTimeComparison() {
        #expect(constantTimeEquals("operator-token", "operator-token"))
        #expect(!constantTimeEquals("operator-token", "operator-tokeN"))
        #expect(!constantTimeEquals("operator-token", "operator-token-longer"))
        #expect(!constantTimeEquals("", "x"))
    }
}
