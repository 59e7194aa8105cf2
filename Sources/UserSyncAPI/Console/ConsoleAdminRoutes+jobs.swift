import Hummingbird
import UserSyncJobs

extension ConsoleAdminRoutes {
    // MARK: Jobs

    struct JobsPage {
        let jobs: [Job]
        let none: Bool
        let states: [PeoplePage.Option]
        let kind: String
        let next: String?
        let first: String?

        struct Job {
            let id: String
            let kind: String
            let state: String
            let icon: String
            let attempts: String
            let created: String
            let finished: String?
            let runAt: String?
            let error: String?
        }
    }

    @Sendable func jobs(_ request: Request, context: ConsoleContext) async throws -> Response {
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        let state = query["state"].flatMap(JobState.init(rawValue:))
        let before = query["before"].flatMap(Int64.init)
        let (jobs, last) = try await activity.jobs(
            context.organization, kind: query["kind"], state: state, before: before, limit: 50, logger: context.logger)
        var kept = query.fields.filter { $0.name != "before" && !$0.value.isEmpty }.map { ($0.name, $0.value) }
        let list = "\(base(context))/jobs"
        let page = JobsPage(
            jobs: jobs.map { job in
                let icon =
                    switch job.state {
                    case .queued, .running: "pending"
                    case .succeeded: "synced"
                    case .failed: "failed"
                    case .cancelled: "not_created"
                    }
                return JobsPage.Job(
                    id: String(job.id), kind: job.kind, state: job.state.rawValue, icon: icon,
                    attempts: "\(job.attempts) of \(job.maxAttempts)", created: ConsoleFormat.dateTime(job.createdAt),
                    finished: job.finishedAt.map(ConsoleFormat.dateTime), runAt: job.state == .queued ? ConsoleFormat.dateTime(job.runAt) : nil,
                    error: job.lastError)
            },
            none: jobs.isEmpty,
            states: ([("", "Any state")] + JobState.allCases.map { ($0.rawValue, $0.rawValue.capitalized) })
                .map { .init(value: $0.0, label: $0.1, selected: $0.0 == (query["state"] ?? "")) },
            kind: query["kind"] ?? "",
            next: last.map {
                kept.append(("before", String($0)))
                return "\(list)?\(ConsoleSignInRoutes.query(kept))"
            },
            first: before == nil ? nil : list)
        return renderer.page(
            "jobs", title: "Jobs", identity: context.identity, section: .jobs, body: page,
            refresh: jobs.contains { $0.state == .running || $0.state == .queued })
    }
}
