import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// User Sync › Sync users: the people table (primary dropdown, a sync control per secondary
/// connection, the three-dot menu, bulk actions), the confirmation pop-ups backed by the sync
/// preview, and a person's page. Every change goes through ``UserSync``, like the JSON API.
struct ConsolePeopleRoutes {
    let directory: PeopleDirectory
    let userSync: UserSync
    let center: ConnectCenter
    let activity: ActivityLog
    let autoSync: AutoSyncPolicies
    let settings: SyncSettings
    let renderer: ConsoleRenderer

    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("people", use: list)
        console.get("people/bulk", use: reviewBulk)
        console.post("people/bulk", use: bulk)
        console.get("people/{person_id}", use: person)
        console.post("people/{person_id}/primary", use: setPrimary)
        console.get("people/{person_id}/sync/{connection_id}", use: reviewSync)
        console.post("people/{person_id}/sync/{connection_id}", use: startSync)
        console.get("people/{person_id}/actions/{action}", use: reviewAction)
        console.post("people/{person_id}/actions/{action}", use: act)
        console.post("syncs/{sync_id}/retry", use: retry)
    }

    /// The reprompt throttle as of this request.
    var prompts: PromptThrottle { PromptThrottle(interval: settings.repromptInterval.seconds, now: settings.now()) }

    // MARK: The list

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        let query = PeopleListQuery(ConsoleForm(encoded: request.uri.query ?? ""))
        let (people, next, connections) = try await directory.listing(context.organization, try query.filter(limit: 50), logger: context.logger)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let page = PeoplePage(
            people: people, next: next, query: query, connections: connections, base: base,
            canWrite: context.identity.canWrite, prompts: prompts)
        return renderer.page(
            "people", title: "Sync users", identity: context.identity, section: .people, body: page,
            notice: ConsoleNotice.text(request), refresh: page.refresh)
    }

    // MARK: Primary

    @Sendable func setPrimary(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let person = try Self.personID(context)
        guard let connection = context.form["connection_id"].flatMap(ConnectionID.init) else {
            throw DomainError.invalid("connection_id", "required", "Choose a platform.")
        }
        _ = try await userSync.setPrimary(
            person, connection: connection, platform: nil, organization: context.organization, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to(withNotice(back(context, fallback: "people"), "primary_set"))
    }

    // MARK: One sync

    @Sendable func reviewSync(_ request: Request, context: ConsoleContext) async throws -> Response {
        let person = try Self.personID(context)
        let connection = try ConsoleConnectRoutes.connectionID(context)
        let preview = try await userSync.preview(person, connection: connection, organization: context.organization, logger: context.logger)
        let name = preview.person.displayName ?? preview.person.email
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let backTo = ConsoleForm(encoded: request.uri.query ?? "")["back"]
        return renderer.page(
            "confirm", title: "Sync \(name)", identity: context.identity, section: .people,
            body: Confirmation(
                heading: "Sync \(name) onto \(preview.connection.displayName)?", points: [preview.message],
                action: "\(base)/people/\(person)/sync/\(connection)", hidden: backTo.map { [.init(name: "back", value: $0)] } ?? [],
                confirm: preview.expectation.canWork ? "Sync \(name)" : "Nothing to do", danger: false,
                cancel: safeBack(backTo, base: base) ?? "\(base)/people",
                canConfirm: context.identity.canWrite && preview.expectation.canWork))
    }

    @Sendable func startSync(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let person = try Self.personID(context)
        let connection = try ConsoleConnectRoutes.connectionID(context)
        _ = try await userSync.startSync(
            person, connection: connection, organization: context.organization, actor: context.actor, requestID: context.requestID,
            logger: context.logger)
        throw ConsoleRedirect.to(withNotice(back(context, fallback: "people"), "sync_started"))
    }

    @Sendable func retry(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        guard let id = context.parameters.get("sync_id").flatMap(SyncID.init) else { throw DomainError.notFound(resource: "sync") }
        let sync = try await userSync.retry(
            id, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("/console/\(context.identity.organization.slug.rawValue)/people/\(sync.personID)?notice=retry_queued")
    }

    // MARK: Reset, reprompt, remove

    @Sendable func reviewAction(_ request: Request, context: ConsoleContext) async throws -> Response {
        let action = try Self.action(context)
        let person = try await directory.person(context.organization, try Self.personID(context), logger: context.logger)
        let name = person.displayName ?? person.email
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let backTo = ConsoleForm(encoded: request.uri.query ?? "")["back"]
        var hidden = backTo.map { [Confirmation.Hidden(name: "back", value: $0)] } ?? []
        var points: [String]
        var possible = true
        switch action {
        case .reset:
            points = [
                "Breaks every sync of \(name): revokes the authorizations they gave UserSync and removes the guest accounts and stand-ins made for them.",
                "Clears their primary platform choice. Their accounts stay, and you can sync them again.",
            ]
        case .reprompt:
            let waiting = person.syncs.filter(PersonActions.waitsForPerson)
            let primary = person.accounts.first { $0.connectionID == person.primaryConnectionID }?.platform.displayName ?? "their primary platform"
            points = [
                "Sends \(name) a new link on \(primary) to authorize UserSync on \(waiting.map(\.platform.displayName).joined(separator: ", ")). Their older links stop working."
            ]
            possible = !waiting.isEmpty
            if waiting.isEmpty { points = ["\(name) has no sync waiting for them to authorize, so there is nothing to send."] }
            if let next = prompts.nextAllowed(for: person) {
                points.append(
                    "\(name) was sent a link recently; without this confirmation the next one would be allowed at \(ConsoleFormat.dateTime(next)). Confirming sends one now."
                )
                hidden.append(.init(name: "force", value: "true"))
            }
        case .remove:
            points = [
                "Breaks every sync of \(name), as Reset does.",
                "Then deletes \(name) and the data of their accounts from UserSync. The audit log keeps the fact.",
                "If they are still on the platforms, the next import brings their accounts back as a new person.",
            ]
        }
        return renderer.page(
            "confirm", title: "\(action.title) \(name)", identity: context.identity, section: .people,
            body: Confirmation(
                heading: "\(action.title) \(name)?", points: points, action: "\(base)/people/\(person.id)/actions/\(action.rawValue)",
                hidden: hidden, confirm: action.title, danger: action != .reprompt,
                cancel: safeBack(backTo, base: base) ?? "\(base)/people/\(person.id)", canConfirm: context.identity.canWrite && possible))
    }

    @Sendable func act(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let action = try Self.action(context)
        let person = try Self.personID(context)
        _ = try await userSync.request(
            action, person: person, force: context.form["force"] == "true", organization: context.organization, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        let fallback = action == .remove ? "people" : "people/\(person)"
        let target = action == .remove ? "/console/\(context.identity.organization.slug.rawValue)/people" : back(context, fallback: fallback)
        throw ConsoleRedirect.to(withNotice(target, "\(action.rawValue)_queued"))
    }

    // MARK: Bulk

    @Sendable func reviewBulk(_ request: Request, context: ConsoleContext) async throws -> Response {
        let form = ConsoleForm(encoded: request.uri.query ?? "")
        let bulk = try BulkRequest(form)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let target = try bulk.target()
        var points: [String]
        switch bulk.action {
        case .sync(let connection):
            let (secondary, tally) = try await userSync.preview(
                target, connection: connection, organization: context.organization, logger: context.logger)
            points = [
                "Of the \(ConsoleFormat.count(tally.values.reduce(0, +), "person", "people")) chosen, syncing them onto \(secondary.displayName) means:"
            ]
            points += tally.sorted { $0.value > $1.value }.map {
                "\(ConsoleFormat.count($0.value)): \(BulkRequest.describe(code: $0.key, platform: secondary.platform))"
            }
        case .primary(let platform):
            points = [
                "Makes \(platform.displayName) the primary platform of \(bulk.describeTarget) who have an active \(platform.displayName) account. Others are left as they are, and counted."
            ]
        case .act(let action):
            points =
                ["\(action.title): \(bulk.describeTarget)."]
                + (action == .remove ? ["Their syncs are broken, then their data is deleted from UserSync."] : [])
        }
        return renderer.page(
            "confirm", title: "Bulk action", identity: context.identity, section: .people,
            body: Confirmation(
                heading: "\(bulk.title)?", points: points, action: "\(base)/people/bulk",
                hidden: form.fields.filter { $0.name != "_csrf" }.map { .init(name: $0.name, value: $0.value) },
                confirm: bulk.title, danger: bulk.isDestructive, cancel: "\(base)/people?\(bulk.listQuery)", canConfirm: context.identity.canWrite))
    }

    struct BulkResult {
        let heading: String
        let counts: [Line]
        let back: String

        struct Line {
            let label: String
            let value: String
        }
    }

    @Sendable func bulk(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let bulk = try BulkRequest(context.form)
        let target = try bulk.target()
        let tally: UserSync.Tally
        switch bulk.action {
        case .sync(let connection):
            tally = try await userSync.startSyncs(
                target, connection: connection, organization: context.organization, actor: context.actor, requestID: context.requestID,
                logger: context.logger)
        case .primary(let platform):
            tally = try await userSync.setPrimary(
                target, connection: nil, platform: platform, organization: context.organization, actor: context.actor,
                requestID: context.requestID, logger: context.logger)
        case .act(let action):
            tally = try await userSync.request(
                action, target, force: false, organization: context.organization, actor: context.actor, requestID: context.requestID,
                logger: context.logger)
        }
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        return renderer.page(
            "bulk-result", title: "Done", identity: context.identity, section: .people,
            body: BulkResult(
                heading: "\(bulk.title): done",
                counts: tally.sorted { $0.key < $1.key }.map {
                    .init(label: $0.key.replacingOccurrences(of: "_", with: " "), value: ConsoleFormat.count($0.value))
                },
                back: "\(base)/people?\(bulk.listQuery)"))
    }

    // MARK: A person

    @Sendable func person(_ request: Request, context: ConsoleContext) async throws -> Response {
        let person = try await directory.person(context.organization, try Self.personID(context), logger: context.logger)
        let connections = try await center.list(context.organization, includeDisconnected: true, logger: context.logger).map(\.connection)
        let names = try await activity.actorNames(context.organization, logger: context.logger)
        let policies = try await autoSync.holding(email: person.email, organization: context.organization, logger: context.logger)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let page = PersonPage(
            person, connections: connections, actorNames: names, policies: policies, base: base, canWrite: context.identity.canWrite,
            prompts: prompts)
        return renderer.page(
            "person", title: page.name, identity: context.identity, section: .people, body: page, notice: ConsoleNotice.text(request),
            refresh: person.syncs.contains { $0.status == .pending })
    }

    // MARK: Helpers

    static func personID(_ context: ConsoleContext) throws -> PersonID {
        guard let id = context.parameters.get("person_id").flatMap(PersonID.init) else { throw DomainError.notFound(resource: "person") }
        return id
    }

    static func action(_ context: ConsoleContext) throws -> UserSync.Action {
        guard let action = UserSync.Action(rawValue: context.parameters.get("action") ?? "") else { throw DomainError.notFound(resource: "action") }
        return action
    }

    /// Where to go after a change: the page the admin came from (a console page of this
    /// organization), or `fallback`.
    func back(_ context: ConsoleContext, fallback: String) -> String {
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        return safeBack(context.form["back"], base: base) ?? "\(base)/\(fallback)"
    }

    func safeBack(_ back: String?, base: String) -> String? {
        guard let back, back.hasPrefix(base + "/"), !back.contains("//"), !back.contains("\\"), back.count < 2048 else { return nil }
        return back
    }

}

/// `url` with `?notice=<code>` (or `&notice=`) added before its fragment.
func withNotice(_ url: String, _ code: String) -> String {
    let parts = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
    let path = String(parts[0])
    let fragment = parts.count > 1 ? "#" + parts[1] : ""
    return path + (path.contains("?") ? "&" : "?") + "notice=\(code)" + fragment
}

extension UserSync.Action {
    var title: String {
        switch self {
        case .reset: "Reset"
        case .reprompt: "Reprompt"
        case .remove: "Remove"
        }
    }
}
