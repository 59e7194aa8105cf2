import Hummingbird
import UserSyncDomain
import UserSyncUseCases

extension ConsoleConnectRoutes {
    // MARK: One connection

    struct ConnectionPage {
        let card: ConnectionCard
        let form: FormPage
        let canWrite: Bool
        let disconnected: Bool
    }

    @Sendable func connection(_ request: Request, context: ConsoleContext) async throws -> Response {
        let overview = try await center.overview(context.organization, try Self.connectionID(context), logger: context.logger)
        return connectionPage(overview, context: context, form: ConsoleForm(), error: nil, notice: ConsoleNotice.text(request))
    }

    func connectionPage(_ overview: ConnectCenter.Overview, context: ConsoleContext, form: ConsoleForm, error: (any Error)?, notice: String?)
        -> Response
    {
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let connection = overview.connection
        let page = ConnectionPage(
            card: ConnectionCard(overview, base: base),
            form: formPage(
                connection.platform, context: context, action: "connections/\(connection.id)", form: form, error: error, rotating: connection),
            canWrite: context.identity.canWrite, disconnected: connection.isDisconnected)
        return renderer.page(
            "connection", title: connection.displayName, identity: context.identity, section: .connect, body: page,
            status: error.map { APIError.from($0, logger: context.logger).status } ?? .ok, notice: notice)
    }

    @Sendable func update(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let id = try Self.connectionID(context)
        let current = try await center.overview(context.organization, id, logger: context.logger)
        let form = context.form
        do {
            let credentials = CredentialsBody(form: form)
            let change = ConnectCenter.Change(
                displayName: form["display_name"],
                credentials: credentials.fields.isEmpty ? nil : try credentials.credentials(for: current.connection.platform),
                apiBaseURL: form["api_base_url"], authBaseURL: form["auth_base_url"])
            _ = try await center.update(
                id, change, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
            throw ConsoleRedirect.to("/console/\(context.identity.organization.slug.rawValue)/connections/\(id)?notice=updated")
        } catch let error where Self.isFormError(error) {
            return connectionPage(current, context: context, form: form, error: error, notice: nil)
        }
    }

    @Sendable func verify(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let id = try Self.connectionID(context)
        do {
            _ = try await center.verify(id, organization: context.organization, actor: context.actor, logger: context.logger)
        } catch is PlatformFailure {
            // The connection now shows why; the page says it.
        }
        throw ConsoleRedirect.to("/console/\(context.identity.organization.slug.rawValue)/connections/\(id)?notice=verified")
    }

    @Sendable func confirmDisconnect(_ request: Request, context: ConsoleContext) async throws -> Response {
        let overview = try await center.overview(context.organization, try Self.connectionID(context), logger: context.logger)
        let connection = overview.connection
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        return renderer.page(
            "confirm", title: "Disconnect \(connection.displayName)", identity: context.identity, section: .connect,
            body: Confirmation(
                heading: "Disconnect \(connection.displayName)?",
                points: [
                    "UserSync erases the stored credentials and stops calling \(connection.platform.displayName) for this workspace.",
                    "It keeps everything else: the connection stays listed as disconnected, its \(ConsoleFormat.count(overview.stats.accounts, "account", "accounts")) stay (inactive), and so does their history.",
                    "People who live on \(connection.platform.displayName) get their primary platform worked out again without it; syncs onto it fail until you reconnect.",
                    "To undo it, reconnect with fresh credentials for the same workspace and import again: the accounts come back.",
                ],
                action: "\(base)/connections/\(connection.id)/disconnect", hidden: [], confirm: "Disconnect", danger: true,
                cancel: "\(base)/connections/\(connection.id)", canConfirm: context.identity.canWrite && !connection.isDisconnected))
    }

    @Sendable func disconnect(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let id = try Self.connectionID(context)
        _ = try await center.disconnect(
            id, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("/console/\(context.identity.organization.slug.rawValue)/connections/\(id)?notice=disconnected")
    }
}
