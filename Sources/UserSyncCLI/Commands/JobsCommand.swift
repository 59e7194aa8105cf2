import ArgumentParser
import Foundation
import UserSyncAPI
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncUseCases

/// `usersync jobs …`: the job table for operators, across organizations.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List, show, retry and cancel jobs.",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self])

    static func show(_ jobs: [JobRecord], json: Bool) throws {
        if json { return try CommandSupport.printJSON(jobs.map(JobRepresentation.init)) }
        CommandSupport.printTable(
            ["ID", "ORGANIZATION", "KIND", "STATE", "ATTEMPTS", "RUN AT", "LAST ERROR"],
            jobs.map {
                [
                    String($0.id), $0.organizationID.description, $0.kind, $0.state.rawValue, "\($0.attempts)/\($0.maxAttempts)",
                    $0.runAt.iso8601, $0.lastError.map { String($0.prefix(60)) } ?? "-",
                ]
            })
    }

    static func jobID(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else { throw ValidationError("the job id must be a positive integer") }
        return id
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OrgsCommand.Output
        @Option(help: "Only this organization (slug or id).") var org: String?
        @Option(help: "Only this kind.") var kind: String?
        @Option(help: "Only this state: queued, running, succeeded, failed, cancelled.") var state: JobState?
        @Option(help: "At most this many (1-1000).") var limit = 50

        func validate() throws {
            guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
        }

        func run() async throws {
            let jobs = try await CommandSupport.withDatabase(options) { [org, kind, state, limit] database, logger in
                var organization: OrganizationID?
                if let org {
                    organization = try await OrganizationAdministration(database: database).organization(org, logger: logger).id
                }
                let filter = JobFilter(organizationID: organization, kind: kind, state: state, limit: limit)
                return try await database.withQueueScope(logger: logger) { try await JobQueue.list(filter, on: $0, logger: logger) }
            }
            try JobsCommand.show(jobs, json: output.json)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job with its payload and last error.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The job's id.") var id: String

        func run() async throws {
            let id = try JobsCommand.jobID(id)
            let job = try await CommandSupport.withDatabase(options) { database, logger in
                let job = try await database.withQueueScope(logger: logger) {
                    try await JobQueue.get(id, organization: nil, on: $0, logger: logger)
                }
                guard let job else { throw DomainError.notFound(resource: "job") }
                return job
            }
            try CommandSupport.printJSON(JobRepresentation(job))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a dead or cancelled job again, with fresh attempts.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The job's id.") var id: String

        func run() async throws {
            let id = try JobsCommand.jobID(id)
            _ = try await CommandSupport.withDatabase(options) { database, logger in
                try await JobQueue(database: database).retry(id, logger: logger)
            }
            print("Queued job \(id) again.")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a queued job.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The job's id.") var id: String

        func run() async throws {
            let id = try JobsCommand.jobID(id)
            _ = try await CommandSupport.withDatabase(options) { database, logger in
                try await JobQueue(database: database).cancel(id, logger: logger)
            }
            print("Cancelled job \(id).")
        }
    }
}

extension JobState: ExpressibleByArgument {}
