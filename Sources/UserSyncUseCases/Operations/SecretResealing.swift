import Foundation
import Logging
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// Finishes a key rotation: every secret at rest (connection credentials, user tokens) sealed
/// with another key than the keyring's first is opened and sealed again with the first, a
/// hundred per transaction, organization by organization. Safe to run while the service runs
/// (a secret that changed meanwhile is left to its new envelope) and to run again.
public struct SecretResealing: Sendable {
    let database: Database
    let secrets: SecretBox
    let repository = SealedSecretRepository()

    public init(database: Database, secrets: SecretBox) {
        self.database = database
        self.secrets = secrets
    }

    public struct Report: Sendable {
        /// Secrets sealed again with the current key (or, in a dry run, that would be), by kind.
        public var resealed: [SealedSecretRepository.Kind: Int] = [:]
        /// Secrets no listed key opens (sealed with a key removed from the keyring), by key id.
        public var unreadable: [String: Int] = [:]
        /// The key ids that seal some secret when done.
        public var keysInUse: Set<String> = []
        public var currentKeyID: String
    }

    public func reseal(dryRun: Bool, logger: Logger) async throws -> Report {
        var report = Report(currentKeyID: secrets.currentKeyID)
        let administration = OrganizationAdministration(database: database)
        var cursor: String?
        while true {
            let page = try await administration.listOrganizations(after: cursor, limit: 100, logger: logger)
            for organization in page {
                try await reseal(organization.id, dryRun: dryRun, into: &report, logger: logger)
            }
            guard page.count == 100, let last = page.last else { break }
            cursor = last.slug.rawValue
        }
        return report
    }

    private func reseal(_ organization: OrganizationID, dryRun: Bool, into report: inout Report, logger: Logger) async throws {
        var resealed = 0
        for kind in SealedSecretRepository.Kind.allCases {
            var after: UUID?
            while true {
                let page = try await database.withTenant(organization, logger: logger) { db -> (last: UUID?, done: Int, unreadable: [String]) in
                    let batch = try await repository.sealed(
                        organization, kind: kind, notWith: secrets.currentKeyID, after: after, limit: 100, on: db, logger: logger)
                    var done = 0, unreadable: [String] = []
                    for secret in batch {
                        let context = Self.context(secret, organization)
                        guard let plaintext = try? secrets.open(.init(keyID: secret.keyID, combined: secret.combined), context: context) else {
                            unreadable.append(secret.keyID)
                            continue
                        }
                        if dryRun {
                            done += 1
                        } else {
                            let sealed = try secrets.seal(plaintext, context: context)
                            let replaced = try await repository.replace(
                                organization, secret, keyID: sealed.keyID, combined: sealed.combined, on: db, logger: logger)
                            if replaced { done += 1 }
                        }
                    }
                    return (batch.last?.id, done, unreadable)
                }
                guard let last = page.last else { break }
                after = last
                resealed += page.done
                report.resealed[kind, default: 0] += page.done
                for key in page.unreadable { report.unreadable[key, default: 0] += 1 }
            }
        }
        report.keysInUse.formUnion(
            try await database.withTenant(organization, logger: logger) { db in
                try await repository.keysInUse(organization, on: db, logger: logger)
            })
        if !dryRun && resealed > 0 {
            logger.notice("secrets re-sealed", metadata: ["org_id": "\(organization)", "count": "\(resealed)", "key_id": "\(secrets.currentKeyID)"])
        }
    }

    /// The context each kind of secret is sealed under (the same as when it was first sealed).
    static func context(_ secret: SealedSecretRepository.Secret, _ organization: OrganizationID) -> String {
        switch secret.kind {
        case .connectionCredentials: ConnectorAccess.context(organization, ConnectionID(secret.id))
        case .userTokens: ConnectorAccess.tokenContext(organization, SyncID(secret.id))
        }
    }
}
