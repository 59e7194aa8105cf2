import ArgumentParser
import Foundation
import UserSyncAPI
import UserSyncDomain
import UserSyncUseCases

/// `usersync auto-sync …`: an organization's Auto Sync policies, without HTTP.
struct AutoSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auto-sync", abstract: "Manage an organization's Auto Sync policies and their runs.",
        subcommands: [List.self, Create.self, Update.self, Delete.self, Preview.self, Run.self, Runs.self, ShowRun.self, Approve.self, Reject.self])

    /// A removal-hold bound: a number, or `none` for no bound.
    struct Bound: ExpressibleByArgument {
        let value: Int?

        init?(argument: String) {
            if argument == "none" {
                value = nil
            } else if let number = Int(argument) {
                value = number
            } else {
                return nil
            }
        }
    }

    /// The policy options `create` and `update` share; each changes what it is given.
    struct Settings: ParsableArguments {
        @Option(help: "The policy's name.") var name: String?
        @Option(help: "A connection to sync members onto (repeat for several); replaces the list.") var onto: [String] = []
        @Option(help: "1–1000; for a person in several groups the lowest number chooses the primary.") var priority: Int?
        @Option(help: "Hold removals of more than this many people for approval (a number or none).") var holdOverCount: Bound?
        @Option(help: "Hold removals of more than this share of the policy's people, in percent (a number or none).") var holdOverPercent: Bound?
        @Flag(help: "Switch the policy on (it runs) or off.") var state: State?
        @Flag(inversion: .prefixedNo, help: "Whether leaving the group removes the syncs the policy made.") var removeOnLeave: Bool?
        @Flag(inversion: .prefixedNo, help: "Whether the policy's primary replaces an admin's choice.") var overrideAdminPrimary: Bool?

        func validate() throws {
            for text in onto { _ = try AutoSyncCommand.connection(text, option: "--onto") }
        }

        /// `settings` with every option given (their ids checked by `validate()`).
        func apply(to settings: inout AutoSyncPolicy.Settings) {
            if let name { settings.name = name }
            if !onto.isEmpty { settings.secondaryConnectionIDs = onto.compactMap(ConnectionID.init) }
            if let priority { settings.priority = priority }
            if let holdOverCount { settings.removalHold.overCount = holdOverCount.value }
            if let holdOverPercent { settings.removalHold.overPercent = holdOverPercent.value }
            if let state { settings.enabled = state == .enable }
            if let removeOnLeave { settings.removesOnLeave = removeOnLeave }
            if let overrideAdminPrimary { settings.overridesAdminPrimary = overrideAdminPrimary }
        }
    }

    enum State: EnumerableFlag {
        case enable, disable
    }

    static func connection(_ text: String, option: String) throws -> ConnectionID {
        guard let id = ConnectionID(text) else { throw ValidationError("\(option) takes a connection's id (a UUID), not \(text)") }
        return id
    }

    static func show(_ policies: [AutoSyncPolicies.Overview], json: Bool) throws {
        if json { return try CommandSupport.printJSON(policies.map(AutoSyncPolicyRepresentation.init)) }
        CommandSupport.printTable(
            ["ID", "NAME", "GROUP", "PRIMARY", "ONTO", "PRIORITY", "ENABLED", "SYNCS"],
            policies.map { overview in
                let s = overview.policy.settings
                return [
                    overview.policy.id.description, s.name, "\(s.group.source.rawValue):\(s.group.displayName ?? s.group.id)",
                    s.primaryConnectionID.description, s.secondaryConnectionIDs.map(\.description).joined(separator: ","),
                    String(s.priority), s.enabled ? "yes" : "no", String(overview.syncs),
                ]
            })
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the policies in the order they apply.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @Argument(help: "Organization slug or id.") var organization: String

        func run() async throws {
            let policies = try await CommandSupport.withDatabase(options) { [organization] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                return try await AutoSyncPolicies(database: database).list(found.id, logger: logger)
            }
            try show(policies, json: output.json)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a policy: a directory group's members are synced onto connections.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @OptionGroup var settings: Settings
        @Argument(help: "Organization slug or id.") var organization: String
        @Option(help: "entra (a Microsoft Entra group read through Graph) or scim (pushed by the identity provider).") var groupSource: String
        @Option(help: "The directory's id of the group.") var groupID: String
        @Option(help: "The group's name, for display.") var groupName: String?
        @Option(help: "entra only: the Teams connection Graph is read through.") var groupConnection: String?
        @Option(help: "The connection members get as their primary.") var primary: String

        func run() async throws {
            guard let source = DirectoryGroup.Source(rawValue: groupSource) else { throw ValidationError("--group-source must be entra or scim") }
            guard let name = settings.name else { throw ValidationError("--name is required") }
            guard !settings.onto.isEmpty else { throw ValidationError("--onto is required: name a connection to sync members onto") }
            var policy = AutoSyncPolicy.Settings(
                name: name,
                group: DirectoryGroup(
                    source: source, connectionID: try groupConnection.map { try AutoSyncCommand.connection($0, option: "--group-connection") },
                    id: groupID, displayName: groupName),
                primaryConnectionID: try AutoSyncCommand.connection(primary, option: "--primary"), secondaryConnectionIDs: [])
            settings.apply(to: &policy)
            let created = try await CommandSupport.withDatabase(options) { [organization, policy] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                return try await AutoSyncPolicies(database: database).create(
                    policy, organization: found.id, actor: .operator, requestID: nil, logger: logger)
            }
            if output.json { return try CommandSupport.printJSON(AutoSyncPolicyRepresentation(created)) }
            print("Created policy \(created.policy.id) (\(created.policy.settings.name)).")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a policy's settings; what is not given stays.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @OptionGroup var settings: Settings
        @Argument(help: "Organization slug or id.") var organization: String
        @Argument(help: "The policy's id.") var policyID: String

        func run() async throws {
            guard let id = AutoSyncPolicyID(policyID) else { throw ValidationError("the policy id must be a UUID") }
            let updated = try await CommandSupport.withDatabase(options) { [organization, settings] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                return try await AutoSyncPolicies(database: database).update(
                    id, organization: found.id, actor: .operator, requestID: nil, logger: logger
                ) {
                    settings.apply(to: &$0)
                }
            }
            if output.json { return try CommandSupport.printJSON(AutoSyncPolicyRepresentation(updated)) }
            print("Updated policy \(id) (\(updated.policy.settings.name)).")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a policy; the syncs it made stay.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Organization slug or id.") var organization: String
        @Argument(help: "The policy's id.") var policyID: String

        func run() async throws {
            guard let id = AutoSyncPolicyID(policyID) else { throw ValidationError("the policy id must be a UUID") }
            let deleted = try await CommandSupport.withDatabase(options) { [organization] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                return try await AutoSyncPolicies(database: database).delete(
                    id, organization: found.id, actor: .operator, requestID: nil, logger: logger)
            }
            print("Deleted policy \(id) (\(deleted.policy.settings.name)); its \(deleted.syncs) syncs stay.")
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what a run of the policy would change now; nothing is changed.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @Argument(help: "Organization slug or id.") var organization: String
        @Argument(help: "The policy's id.") var policyID: String
        @Option(help: "Items shown of each list (0–1000; the counts are whole).") var limit = 20

        func validate() throws {
            guard AutoSyncPolicyID(policyID) != nil else { throw ValidationError("the policy id must be a UUID") }
            guard (0...1_000).contains(limit) else { throw ValidationError("--limit must be from 0 to 1000") }
        }

        func run() async throws {
            let id = AutoSyncPolicyID(policyID)!
            let preview = try await CommandSupport.withDatabase(options) { [organization] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                return try await AutoSyncPlanning(database: database).preview(id, organization: found.id, logger: logger)
            }
            if output.json { return try CommandSupport.printJSON(AutoSyncPlanRepresentation(preview, limit: limit)) }
            let plan = preview.plan
            print(
                """
                Policy \(id) (\(preview.policy.settings.name)): \(plan.primaries.count) primaries to set, \(plan.starts.count) syncs to start, \
                \(plan.handovers.count) handed over, \(plan.removals.count) to remove, \(plan.skips.count) skipped, \
                \(plan.notOnAnyPlatform.count) not on any platform yet.
                """)
            if let reason = plan.holdReason { print("Removals would wait for approval: \(reason)") }
            let people = preview.people
            let name = { (person: PersonID) in people[person].map { $0.displayName ?? $0.state.email } ?? person.description }
            let connection = { (id: ConnectionID) in preview.connections[id]?.displayName ?? id.description }
            for removal in plan.removals.prefix(limit) { print("  remove  \(name(removal.person)) from \(connection(removal.connection))") }
            for start in plan.starts.prefix(limit) { print("  sync    \(name(start.person)) onto \(connection(start.connection))") }
        }
    }
}
