import Foundation
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

extension ConnectorAccess {
    static func tokenContext(_ organization: OrganizationID, _ sync: SyncID) -> String {
        SecretBox.context(organization, "sync:\(sync):user-tokens")
    }

    /// A person's own tokens, sealed for the sync that holds them.
    func seal(_ tokens: UserTokens, organization: OrganizationID, sync: SyncID) throws -> SyncRepository.SealedTokens {
        let sealed = try secrets.seal(JSONEncoder().encode(tokens), context: Self.tokenContext(organization, sync))
        return .init(keyID: sealed.keyID, combined: sealed.combined, expiresAt: tokens.expiresAt)
    }

    func open(_ sealed: SyncRepository.SealedTokens, organization: OrganizationID, sync: SyncID) throws -> UserTokens {
        let data = try secrets.open(.init(keyID: sealed.keyID, combined: sealed.combined), context: Self.tokenContext(organization, sync))
        return try JSONDecoder().decode(UserTokens.self, from: data)
    }
}
