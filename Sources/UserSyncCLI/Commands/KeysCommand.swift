import ArgumentParser
import Foundation
import UserSyncAPI
import UserSyncDomain
import UserSyncPersistence
import UserSyncUseCases

/// `usersync keys …`: an organization's API keys, without HTTP.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke an organization's API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    static func show(_ keys: [APIKey], json: Bool) throws {
        if json { return try CommandSupport.printJSON(keys.map { APIKeyRepresentation($0) }) }
        CommandSupport.printTable(
            ["ID", "NAME", "ROLE", "HINT", "CREATED", "LAST USED", "REVOKED"],
            keys.map {
                [
                    $0.id.description, $0.name, $0.role.rawValue, $0.hint + "…", $0.createdAt.iso8601,
                    $0.lastUsedAt?.iso8601 ?? "-", $0.revokedAt?.iso8601 ?? "-",
                ]
            })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; its secret is printed once.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @Argument(help: "Organization slug or id.") var organization: String
        @Option(help: "What the key is for.") var name: String
        @Option(help: "admin (read/write) or viewer (read only).") var role: APIKeyRole = .admin

        func run() async throws {
            let created = try await CommandSupport.withDatabase(options) { [organization, name, role] database, logger in
                let administration = OrganizationAdministration(database: database)
                let found = try await administration.organization(organization, logger: logger)
                return try await administration.createKey(
                    in: found.id, name: name, role: role, actor: .operator, requestID: nil, logger: logger)
            }
            if output.json { return try CommandSupport.printJSON(APIKeyRepresentation(created.key, secret: created.token)) }
            print("Created \(created.key.role.rawValue) key \(created.key.id) (\(created.key.name)).")
            print("Secret (shown once, store it now): \(created.token)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (never their secrets).")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @Argument(help: "Organization slug or id.") var organization: String
        @Flag(help: "Include revoked keys.") var includeRevoked = false

        func run() async throws {
            let keys = try await CommandSupport.withDatabase(options) { [organization, includeRevoked] database, logger in
                let administration = OrganizationAdministration(database: database)
                let found = try await administration.organization(organization, logger: logger)
                return try await administration.listKeys(in: found.id, includeRevoked: includeRevoked, logger: logger)
            }
            try show(keys, json: output.json)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key; it stops working at once.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Organization slug or id.") var organization: String
        @Argument(help: "The key's id.") var keyID: String

        func run() async throws {
            guard let id = APIKeyID(keyID) else { throw ValidationError("the key id must be a UUID") }
            try await CommandSupport.withDatabase(options) { [organization] database, logger in
                let administration = OrganizationAdministration(database: database)
                let found = try await administration.organization(organization, logger: logger)
                _ = try await administration.revokeKey(id, in: found.id, actor: .operator, requestID: nil, logger: logger)
            }
            print("Revoked key \(id).")
        }
    }
}

extension APIKeyRole: ExpressibleByArgument {}
