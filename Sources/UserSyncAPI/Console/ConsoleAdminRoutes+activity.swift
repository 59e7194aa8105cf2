import Foundation
import Hummingbird
import UserSyncDomain

extension ConsoleAdminRoutes {
    // MARK: Activity

    struct ActivityPage {
        let entries: [Entry]
        let none: Bool
        let action: String
        let actors: [PeoplePage.Option]
        let since: String
        let until: String
        let next: String?
        let first: String?

        struct Entry {
            let at: String
            let actor: String
            let action: String
            let target: String?
            let details: [Detail]
            let requestID: String?
        }

        struct Detail {
            let name: String
            let value: String
        }
    }

    @Sendable func activityPage(_ request: Request, context: ConsoleContext) async throws -> Response {
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        var filter = AuditQuery()
        filter.limit = 50
        filter.action = query["action"]
        filter.actorKind = query["actor_kind"]
        filter.since = try query["since"].map { try Self.day($0, field: "since") }
        filter.until = try query["until"].map { try Self.day($0, field: "until").addingTimeInterval(86_400) }
        filter.before = query["before"].flatMap(Int64.init)
        let (entries, before) = try await activity.entries(context.organization, filter, logger: context.logger)
        let names = try await activity.actorNames(context.organization, logger: context.logger)
        var kept = query.fields.filter { $0.name != "before" && !$0.value.isEmpty }.map { ($0.name, $0.value) }
        let list = "\(base(context))/activity"
        let page = ActivityPage(
            entries: entries.map { entry in
                ActivityPage.Entry(
                    at: ConsoleFormat.dateTime(entry.at),
                    actor: PersonPage.actor(entry.actorID.map { "\(entry.actorKind):\($0)" } ?? entry.actorKind, names: names),
                    action: entry.action, target: entry.targetType.map { type in "\(type) \(entry.targetID ?? "")" },
                    details: entry.details.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map { .init(name: $0.key, value: $0.value) },
                    requestID: entry.requestID)
            },
            none: entries.isEmpty, action: query["action"] ?? "",
            actors: [
                ("", "Anyone"), ("member", "Console members"), ("admin", "Admin API keys"), ("operator", "The operator"),
                ("system", "UserSync"), ("user", "People themselves"), ("auto_sync", "Auto Sync"),
            ]
            .map { .init(value: $0.0, label: $0.1, selected: $0.0 == (query["actor_kind"] ?? "")) },
            since: query["since"] ?? "", until: query["until"] ?? "",
            next: before.map {
                kept.append(("before", String($0)))
                return "\(list)?\(ConsoleSignInRoutes.query(kept))"
            },
            first: filter.before == nil ? nil : list)
        return renderer.page("activity", title: "Activity", identity: context.identity, section: .activity, body: page)
    }

    static func day(_ text: String, field: String) throws -> Date {
        let strategy = Date.ISO8601FormatStyle().year().month().day()
        guard let date = try? Date(text, strategy: strategy) else {
            throw DomainError.invalid(field, "invalid_format", "Dates are written as 2026-12-03.")
        }
        return date
    }
}
