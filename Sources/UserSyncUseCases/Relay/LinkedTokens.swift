import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

/// A linked person's own tokens, ready to use: opened, and refreshed when they are about to
/// expire (the refreshed ones stored). Nil when they cannot be refreshed: the token check heals
/// the sync, and the caller does without them meanwhile.
struct LinkedTokens: Sendable {
    let database: Database
    let access: ConnectorAccess
    let settings: SyncSettings
    let syncs = SyncRepository()

    func usable(
        _ sync: SyncID, _ sealed: SyncRepository.SealedTokens, connector: any PlatformConnector, organization: OrganizationID, logger: Logger
    ) async throws -> UserTokens? {
        let tokens = try access.open(sealed, organization: organization, sync: sync)
        guard tokens.needsRefresh(at: settings.now(), margin: settings.tokenRefreshMargin.seconds) else { return tokens }
        guard let fresh = try? await connector.refresh(tokens) else { return nil }
        let resealed = try access.seal(fresh, organization: organization, sync: sync)
        try await database.withTenant(organization, logger: logger) { db in
            try await syncs.replaceTokens(organization, sync, resealed, on: db, logger: logger)
        }
        return fresh
    }
}
