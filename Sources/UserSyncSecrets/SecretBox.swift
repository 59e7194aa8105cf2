import Crypto
import Foundation
import UserSyncDomain

/// AES-GCM envelope for secrets at rest (platform credentials, user tokens).
///
/// Holds a keyring: the first key seals, every key opens, so keys can be rotated by putting a new
/// key first and re-sealing at leisure. Each sealed value records the id of its key. The
/// associated data binds a ciphertext to its owner (organization and purpose), so a value copied
/// into another organization's row does not open.
public struct SecretBox: Sendable {
    public struct Key: Sendable {
        public let id: String
        fileprivate let key: SymmetricKey

        /// - Parameter material: 32 bytes (AES-256).
        public init(id: String, material: Data) throws(SecretBoxError) {
            guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw .invalidKeyID
            }
            guard material.count == 32 else { throw .invalidKeyLength(id: id, bytes: material.count) }
            self.id = id
            self.key = SymmetricKey(data: material)
        }
    }

    public struct Sealed: Sendable, Equatable {
        public let keyID: String
        /// nonce ‖ ciphertext ‖ tag
        public let combined: Data

        public init(keyID: String, combined: Data) {
            self.keyID = keyID
            self.combined = combined
        }
    }

    private let keys: [Key]

    public init(keys: [Key]) throws(SecretBoxError) {
        guard !keys.isEmpty else { throw .noKeys }
        guard Set(keys.map(\.id)).count == keys.count else { throw .duplicateKeyID }
        self.keys = keys
    }

    public var currentKeyID: String { keys[0].id }

    /// Every key's id, the sealing one first.
    public var keyIDs: [String] { keys.map(\.id) }

    public func seal(_ plaintext: Data, context: String) throws -> Sealed {
        let box = try AES.GCM.seal(plaintext, using: keys[0].key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw SecretBoxError.cannotOpen }
        return Sealed(keyID: keys[0].id, combined: combined)
    }

    public func open(_ sealed: Sealed, context: String) throws(SecretBoxError) -> Data {
        guard let key = keys.first(where: { $0.id == sealed.keyID }) else { throw .unknownKeyID(sealed.keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.combined)
            return try AES.GCM.open(box, using: key.key, authenticating: Data(context.utf8))
        } catch {
            throw .cannotOpen
        }
    }

    /// The context string for a secret owned by an organization.
    public static func context(_ organization: OrganizationID, _ purpose: String) -> String {
        "usersync:\(organization):\(purpose)"
    }
}

/// Never carries secret material in its description.
public enum SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    case noKeys
    case duplicateKeyID
    case invalidKeyID
    case invalidKeyLength(id: String, bytes: Int)
    case unknownKeyID(String)
    case cannotOpen

    public var description: String {
        switch self {
        case .noKeys: "no encryption key configured"
        case .duplicateKeyID: "two encryption keys share an id"
        case .invalidKeyID: "an encryption key id must be 1–64 letters, digits, '-' or '_'"
        case .invalidKeyLength(let id, let bytes): "encryption key '\(id)' is \(bytes) bytes; it must be 32 bytes (base64 of 32 random bytes)"
        case .unknownKeyID(let id): "the secret was sealed with key '\(id)', which is not in the keyring"
        case .cannotOpen: "the secret does not open with its key (wrong key or tampered data)"
        }
    }
}
