import Foundation
import Testing
import UserSyncDomain
import UserSyncSecrets

@Suite struct SecretBoxTests {
    static func key(_ id: String, _ byte: UInt8) throws -> SecretBox.Key {
        try SecretBox.Key(id: id, material: Data(repeating: byte, count: 32))
    }

    @Test func sealedSecretsOpenWithTheirContextOnly() throws {
        let box = try SecretBox(keys: [Self.key("k1", 1)])
        let org = OrganizationID.random()
        let sealed = try box.seal(Data("xoxb-secret".utf8), context: SecretBox.context(org, "credentials"))
        #expect(sealed.keyID == "k1")
        #expect(!sealed.combined.contains(Data("xoxb-secret".utf8)))
        #expect(try box.open(sealed, context: SecretBox.context(org, "credentials")) == Data("xoxb-secret".utf8))
        // Copied into another organization's row, it does not open.
        #expect(throws: SecretBoxError.cannotOpen) {
            try box.open(sealed, context: SecretBox.context(.random(), "credentials"))
        }
    }

    @Test func rotationKeepsOldSecretsReadable() throws {
        let old = try SecretBox(keys: [Self.key("k1", 1)])
        let sealed = try old.seal(Data("token".utf8), context: "c")
        let rotated = try SecretBox(keys: [Self.key("k2", 2), Self.key("k1", 1)])
        #expect(try rotated.open(sealed, context: "c") == Data("token".utf8))
        #expect(try rotated.seal(Data("token".utf8), context: "c").keyID == "k2")
        let withoutOld = try SecretBox(keys: [Self.key("k2", 2)])
        #expect(throws: SecretBoxError.unknownKeyID("k1")) { try withoutOld.open(sealed, context: "c") }
    }

    @Test func tamperedCiphertextIsRefused() throws {
        let box = try SecretBox(keys: [Self.key("k1", 1)])
        let sealed = try box.seal(Data("token".utf8), context: "c")
        var bytes = sealed.combined
        bytes[bytes.count - 1] ^= 0x01
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(.init(keyID: "k1", combined: bytes), context: "c") }
    }

    @Test func keysMustBe256BitsWithDistinctIDs() throws {
        #expect(throws: SecretBoxError.invalidKeyLength(id: "k1", bytes: 16)) {
            try SecretBox.Key(id: "k1", material: Data(count: 16))
        }
        #expect(throws: SecretBoxError.invalidKeyID) { try SecretBox.Key(id: "bad id", material: Data(count: 32)) }
        #expect(throws: SecretBoxError.duplicateKeyID) { try SecretBox(keys: [Self.key("k1", 1), Self.key("k1", 2)]) }
        #expect(throws: SecretBoxError.noKeys) { try SecretBox(keys: []) }
        // Errors never carry key material.
        #expect(!SecretBoxError.invalidKeyLength(id: "k1", bytes: 16).description.contains("AAAA"))
    }
}
