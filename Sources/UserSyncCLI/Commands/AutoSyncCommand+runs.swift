import ArgumentParser
import Foundation
import UserSyncAPI
import UserSyncDomain
import UserSyncUseCases

/// `usersync auto-sync run|runs|show-run|approve|reject`: Auto Sync runs, without HTTP.
extension AutoSyncCommand {
    /// Arguments naming one run.
    struct RunArguments: ParsableArguments {
        @Argument(help: "Organization slug or id.") var organization: String
        @Argument(help: "The run's id.") var runID: String

        func validate() throws {
            guard AutoSyncRunID(runID) != nil else { throw ValidationError("the run id must be a UUID") }
        }

        var id: AutoSyncRunID { AutoSyncRunID(runID)! }
    }

    static func summary(_ run: AutoSyncRun) -> String {
        let c = run.counts
        return "Run \(run.id) of policy \(run.policyID) (\(run.trigger.rawValue)): \(run.state.rawValue); \(c.primaries) primaries set, "
            + "\(c.starts) syncs started, \(c.handovers) handed over, \(c.removals) removals\(run.state == .held ? " waiting for approval" : ""), "
            + "\(c.skips) skipped, \(c.notOnAnyPlatform) not on any platform yet."
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a policy now: plan from the stored membership and apply (the worker carries out the syncs).")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @Argument(help: "Organization slug or id.") var organization: String
        @Argument(help: "The policy's id.") var policyID: String

        func run() async throws {
            guard let id = AutoSyncPolicyID(policyID) else { throw ValidationError("the policy id must be a UUID") }
            let run = try await CommandSupport.withDatabase(options) { [organization] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                _ = try await AutoSyncPolicies(database: database).get(id, organization: found.id, logger: logger)
                return try await AutoSyncRuns(database: database).run(id, trigger: .manual, organization: found.id, logger: logger)
            }
            guard let run else { return print(output.json ? "null" : "Nothing to change: the policy's syncs match its group.") }
            if output.json { return try CommandSupport.printJSON(AutoSyncRunRepresentation(run)) }
            print(summary(run))
            if let reason = run.holdReason { print("Held: \(reason)") }
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @Argument(help: "Organization slug or id.") var organization: String
        @Option(help: "Only this policy's runs.") var policy: String?
        @Option(help: "Only runs in this state: \(AutoSyncRun.State.allCases.map(\.rawValue).joined(separator: ", ")).") var state: String?
        @Option(help: "How many (1–200).") var limit = 20

        func validate() throws {
            if let policy, AutoSyncPolicyID(policy) == nil { throw ValidationError("--policy takes a policy's id (a UUID)") }
            if let state, AutoSyncRun.State(rawValue: state) == nil {
                throw ValidationError("--state must be one of \(AutoSyncRun.State.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard (1...200).contains(limit) else { throw ValidationError("--limit must be from 1 to 200") }
        }

        func run() async throws {
            let runs = try await CommandSupport.withDatabase(options) { [organization, policy, state, limit] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(organization, logger: logger)
                return try await AutoSyncRuns(database: database).list(
                    found.id, policy: policy.flatMap(AutoSyncPolicyID.init), state: state.flatMap(AutoSyncRun.State.init), after: nil,
                    limit: limit, logger: logger)
            }
            if output.json { return try CommandSupport.printJSON(runs.map(AutoSyncRunRepresentation.init)) }
            CommandSupport.printTable(
                ["ID", "POLICY", "TRIGGER", "STATE", "STARTS", "REMOVALS", "CREATED"],
                runs.map { run in
                    [
                        run.id.description, run.policyID.description, run.trigger.rawValue, run.state.rawValue, String(run.counts.starts),
                        String(run.counts.removals), run.createdAt.iso8601,
                    ]
                })
        }
    }

    struct ShowRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show-run", abstract: "Show a run and its plan.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @OptionGroup var run: RunArguments
        @Option(help: "Items shown of each list (0–1000; the counts are whole).") var limit = 20

        func validate() throws {
            guard (0...1_000).contains(limit) else { throw ValidationError("--limit must be from 0 to 1000") }
        }

        func run() async throws {
            let detail = try await CommandSupport.withDatabase(options) { [run, limit] database, logger in
                let found = try await OrganizationAdministration(database: database).organization(run.organization, logger: logger)
                return try await AutoSyncRuns(database: database).get(run.id, limit: limit, organization: found.id, logger: logger)
            }
            if output.json { return try CommandSupport.printJSON(AutoSyncRunDetailRepresentation(detail, limit: limit)) }
            print(summary(detail.run))
            if let reason = detail.run.holdReason { print("Held: \(reason)") }
            for item in detail.items where [.removal, .start].contains(item.kind) {
                let onto = item.connection.flatMap { detail.platforms[$0]?.displayName } ?? item.connection?.description ?? ""
                print(
                    "  \(item.kind == .removal ? "remove" : "sync  ")  \(item.email ?? item.person?.description ?? "") \(item.kind == .removal ? "from" : "onto") \(onto)"
                )
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a held run: its removals that are still planned are applied.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var run: RunArguments

        func run() async throws { try await decide(.approve, run, options) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject a held run: the held syncs stay, kept from then on as if an admin had started them.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var run: RunArguments

        func run() async throws { try await decide(.reject, run, options) }
    }

    static func decide(_ decision: AutoSyncRun.Decision, _ run: RunArguments, _ options: GlobalOptions) async throws {
        let decided = try await CommandSupport.withDatabase(options) { database, logger in
            let found = try await OrganizationAdministration(database: database).organization(run.organization, logger: logger)
            return try await AutoSyncRuns(database: database).decide(
                run.id, decision, organization: found.id, actor: .operator, requestID: nil, logger: logger)
        }
        print("Run \(decided.id) \(decided.state.rawValue).")
    }
}
