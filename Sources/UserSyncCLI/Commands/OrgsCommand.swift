import ArgumentParser
import Foundation
import UserSyncAPI
import UserSyncDomain
import UserSyncPersistence
import UserSyncUseCases

/// `usersync orgs …`: the operator's organization management, without HTTP.
struct OrgsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orgs", abstract: "Create, list, show, rename and delete organizations.",
        subcommands: [Create.self, List.self, Get.self, Rename.self, Delete.self, Invite.self])

    struct Output: ParsableArguments {
        @Flag(help: "Print JSON instead of text.") var json = false
    }

    static func show(_ organizations: [Organization], json: Bool) throws {
        if json { return try CommandSupport.printJSON(organizations.map(OrganizationRepresentation.init)) }
        CommandSupport.printTable(
            ["ID", "SLUG", "NAME", "CREATED"],
            organizations.map { [$0.id.description, $0.slug.rawValue, $0.name, $0.createdAt.iso8601] })
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organization.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: Output
        @Option(help: "URL name: 3–63 of a-z, 0-9 and '-'.") var slug: String
        @Option(help: "Display name.") var name: String

        func run() async throws {
            let organization = try await CommandSupport.withDatabase(options) { [slug, name] database, logger in
                try await OrganizationAdministration(database: database).createOrganization(
                    slug: try Slug(validating: slug), name: name, actor: .operator, requestID: nil, logger: logger)
            }
            try show([organization], json: output.json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organizations.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: Output

        func run() async throws {
            let organizations = try await CommandSupport.withDatabase(options) { database, logger in
                let administration = OrganizationAdministration(database: database)
                var all: [Organization] = []
                while true {
                    let page = try await administration.listOrganizations(after: all.last?.slug.rawValue, limit: 500, logger: logger)
                    all += page
                    if page.count < 500 { return all }
                }
            }
            try show(organizations, json: output.json)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an organization.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: Output
        @Argument(help: "Slug or id.") var organization: String

        func run() async throws {
            let found = try await CommandSupport.withDatabase(options) { [organization] database, logger in
                try await OrganizationAdministration(database: database).organization(organization, logger: logger)
            }
            try show([found], json: output.json)
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename an organization.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: Output
        @Argument(help: "Slug or id.") var organization: String
        @Option(help: "The new display name.") var name: String

        func run() async throws {
            let renamed = try await CommandSupport.withDatabase(options) { [organization, name] database, logger in
                let administration = OrganizationAdministration(database: database)
                let found = try await administration.organization(organization, logger: logger)
                return try await administration.renameOrganization(found.id, to: name, actor: .operator, requestID: nil, logger: logger)
            }
            try show([renamed], json: output.json)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an organization and all of its data.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Slug or id.") var organization: String
        @Flag(help: "Confirm: this cannot be undone.") var yes = false

        func validate() throws {
            guard yes else { throw ValidationError("deleting an organization removes all of its data; add --yes to confirm") }
        }

        func run() async throws {
            let slug = try await CommandSupport.withDatabase(options) { [organization] database, logger in
                let administration = OrganizationAdministration(database: database)
                let found = try await administration.organization(organization, logger: logger)
                try await administration.deleteOrganization(found.id, logger: logger)
                return found.slug.rawValue
            }
            print("Deleted organization \(slug).")
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a one-time link that lets its first user into the organization's console.",
            discussion: "The person opens the link and signs in with their Slack or Microsoft account; the link then stops working. "
                + "Links start with USERSYNC_PUBLIC_URL.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: Output
        @Argument(help: "Slug or id.") var organization: String
        @Option(help: "admin (changes things) or viewer (only reads).") var role: APIKeyRole = .admin
        @Option(help: "Only an account with this address may use the link.") var email: String?

        func run() async throws {
            var reader = try options.reader()
            let publicURL = SyncSettings.read(&reader, host: reader.raw(.httpHost) ?? "127.0.0.1", port: Int(reader.raw(.httpPort) ?? "") ?? 8080)
                .publicURL
            var settings = ConsoleSettings(publicURL: publicURL)
            settings.invitationLifetime = .seconds(86_400 * reader.integer(.invitationDays, default: 7, range: 1...90))
            try reader.validate()
            let console = settings
            let created = try await CommandSupport.withDatabase(options) { [organization, role, email] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                return try await ConsoleMembers(database: database, settings: console).invite(
                    found.id, role: role, email: email, actor: .operator, requestID: nil, logger: logger)
            }
            if output.json {
                return try CommandSupport.printJSON(
                    InvitationOutput(
                        id: created.invitation.id.description, role: created.invitation.role.rawValue, email: created.invitation.email,
                        expiresAt: created.invitation.expiresAt.iso8601, url: created.link))
            }
            print(created.link)
            print(
                "Works once, for the \(role.rawValue) role\(email.map { " and the account \($0)" } ?? ""), until \(created.invitation.expiresAt.iso8601)."
            )
        }
    }

    struct InvitationOutput: Encodable {
        let id: String
        let role: String
        let email: String?
        let expiresAt: String
        let url: String
    }
}
