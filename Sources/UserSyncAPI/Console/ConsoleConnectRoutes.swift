import Foundation
import Hummingbird
import UserSyncConnectors
import UserSyncDomain
import UserSyncUseCases

/// The Connect Center's pages: each platform with its connections and their health; connect,
/// rotate credentials, verify now and disconnect. They call the same ``ConnectCenter`` the JSON
/// API calls.
struct ConsoleConnectRoutes {
    let center: ConnectCenter
    let renderer: ConsoleRenderer

    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("", use: home)
        console.get("**", use: notFound)
        console.get("connect", use: overview)
        console.get("connect/{platform}", use: connectForm)
        console.post("connect/{platform}", use: connect)
        console.get("connections/{connection_id}", use: connection)
        console.post("connections/{connection_id}", use: update)
        console.post("connections/{connection_id}/verify", use: verify)
        console.get("connections/{connection_id}/disconnect", use: confirmDisconnect)
        console.post("connections/{connection_id}/disconnect", use: disconnect)
    }

    /// The organization's first page: the Connect Center until two platforms are connected, then Sync users.
    @Sendable func home(_ request: Request, context: ConsoleContext) async throws -> Response {
        let all = try await center.list(context.organization, includeDisconnected: false, logger: context.logger)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        return ConsoleOrganizationMiddleware.redirect(Self.connectedPlatforms(all) < 2 ? "\(base)/connect" : "\(base)/people")
    }

    /// A console path that is no page: the console's own 404, in its chrome.
    @Sendable func notFound(_ request: Request, context: ConsoleContext) async throws -> Response {
        throw DomainError.notFound(resource: "page")
    }

    static func connectedPlatforms(_ overviews: [ConnectCenter.Overview]) -> Int {
        Set(overviews.filter { $0.connection.health == .connected }.map(\.connection.platform)).count
    }

    /// Said on User Sync pages while fewer than two platforms are connected.
    static func missingPlatforms(_ overviews: [ConnectCenter.Overview]) -> String? {
        switch connectedPlatforms(overviews) {
        case 0:
            "No platform is connected yet. Connect at least two platforms in the Connect Center: User Sync makes people reachable from one platform on another."
        case 1: "Only one platform is connected. Connect a second one in the Connect Center before syncing people: User Sync needs at least two."
        default: nil
        }
    }

    // MARK: Overview

    struct OverviewPage {
        let missing: String?
        let platforms: [PlatformCard]
        let canWrite: Bool
    }

    struct PlatformCard {
        let key: String
        let name: String
        let connections: [ConnectionCard]
        let connectHref: String
        let importsSelectedTeams: Bool
    }

    @Sendable func overview(_ request: Request, context: ConsoleContext) async throws -> Response {
        let all = try await center.list(context.organization, includeDisconnected: true, logger: context.logger)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let cards = Platform.allCases.map { platform in
            PlatformCard(
                key: platform.rawValue, name: platform.displayName,
                connections: all.filter { $0.connection.platform == platform }.map { ConnectionCard($0, base: base) },
                connectHref: "\(base)/connect/\(platform.rawValue)", importsSelectedTeams: platform.importsSelectedTeams)
        }
        return renderer.page(
            "connect", title: "Connect Center", identity: context.identity, section: .connect,
            body: OverviewPage(missing: Self.missingPlatforms(all), platforms: cards, canWrite: context.identity.canWrite),
            notice: ConsoleNotice.text(request))
    }

    // MARK: Connect

    struct FormPage {
        let heading: String
        let intro: String
        let action: String
        let platform: String
        let fields: [Field]
        let displayName: String
        let apiBaseURL: String
        let authBaseURL: String
        let error: String?
        let errors: [String]
        let submit: String
        let canWrite: Bool
    }

    struct Field {
        let name: String
        let label: String
        let help: String?
        let required: Bool
        let secret: Bool
        let value: String
    }

    @Sendable func connectForm(_ request: Request, context: ConsoleContext) async throws -> Response {
        let platform = try Self.platform(context)
        return renderer.page(
            "connect-form", title: "Connect \(platform.displayName)", identity: context.identity, section: .connect,
            body: formPage(platform, context: context, action: "connect/\(platform.rawValue)", form: ConsoleForm(), error: nil))
    }

    func formPage(
        _ platform: Platform, context: ConsoleContext, action: String, form: ConsoleForm, error: (any Error)?, rotating: PlatformConnection? = nil
    ) -> FormPage {
        let shape = CredentialsBody.shapes[platform]!
        let fields = (shape.required + shape.optional).map { name in
            let label = ConnectFields.label(platform, name)
            let secret = ConnectFields.secret.contains(name)
            return Field(
                name: "credentials.\(name)", label: label.0, help: label.1, required: shape.required.contains(name), secret: secret,
                value: secret ? "" : form.raw("credentials.\(name)") ?? "")
        }
        var message: String?
        var fieldErrors: [String] = []
        if let error {
            let problem = APIError.from(error, logger: context.logger)
            message = problem.detail
            fieldErrors = problem.errors.map(\.message)
            if !fieldErrors.isEmpty { message = "Some fields need a fix." }
        }
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        return FormPage(
            heading: rotating.map { "Update \($0.displayName)" } ?? "Connect \(platform.displayName)",
            intro: rotating == nil
                ? ConnectFields.intro[platform] ?? ""
                : "Enter fresh credentials for the same workspace (all required fields). "
                    + "They are verified with \(platform.displayName) before anything is saved; leave them empty to change only the name.",
            action: "\(base)/\(action)", platform: platform.rawValue, fields: fields,
            displayName: form.raw("display_name") ?? rotating?.displayName ?? "",
            apiBaseURL: form.raw("api_base_url") ?? rotating?.apiBaseURL ?? "", authBaseURL: form.raw("auth_base_url") ?? rotating?.authBaseURL ?? "",
            error: message, errors: fieldErrors, submit: rotating == nil ? "Verify and connect" : "Verify and save",
            canWrite: context.identity.canWrite)
    }

    @Sendable func connect(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let platform = try Self.platform(context)
        let form = context.form
        do {
            let connection = try await center.connect(
                .init(
                    displayName: form["display_name"], credentials: try CredentialsBody(form: form).credentials(for: platform),
                    apiBaseURL: form["api_base_url"], authBaseURL: form["auth_base_url"]),
                organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
            throw ConsoleRedirect.to("/console/\(context.identity.organization.slug.rawValue)/connections/\(connection.id)?notice=connected")
        } catch let error where Self.isFormError(error) {
            return renderer.page(
                "connect-form", title: "Connect \(platform.displayName)", identity: context.identity, section: .connect,
                body: formPage(platform, context: context, action: "connect/\(platform.rawValue)", form: form, error: error),
                status: APIError.from(error, logger: context.logger).status)
        }
    }

    /// Refusals the admin fixes in the form (bad fields, the platform refusing the credentials),
    /// as opposed to errors that end the page.
    static func isFormError(_ error: any Error) -> Bool {
        switch error {
        case is PlatformFailure: true
        case DomainError.validation, DomainError.conflict: true
        default: false
        }
    }

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

    // MARK: Parameters

    static func platform(_ context: ConsoleContext) throws -> Platform {
        guard let platform = Platform(rawValue: context.parameters.get("platform") ?? "") else { throw DomainError.notFound(resource: "platform") }
        return platform
    }

    static func connectionID(_ context: ConsoleContext) throws -> ConnectionID {
        guard let id = context.parameters.get("connection_id").flatMap(ConnectionID.init) else { throw DomainError.notFound(resource: "connection") }
        return id
    }
}

/// A connection as the console's cards and pages show it.
struct ConnectionCard {
    let id: String
    let href: String
    let name: String
    let platform: String
    let workspace: String
    let state: String
    let stateLabel: String
    let cause: String?
    let message: String?
    let fix: String?
    let accounts: String
    let activeAccounts: String
    let teams: String?
    let selectedTeams: String?
    let importsSelectedTeams: Bool
    let verifiedAt: String?
    let apiBaseURL: String
    let authBaseURL: String?
    let latestImport: ImportRow.Status?

    init(_ overview: ConnectCenter.Overview, base: String) {
        let connection = overview.connection
        id = connection.id.description
        href = "\(base)/connections/\(connection.id)"
        name = connection.displayName
        platform = connection.platform.displayName
        workspace = connection.workspaceName.map { "\($0) (\(connection.workspaceID))" } ?? connection.workspaceID
        state = connection.health.rawValue
        stateLabel =
            switch connection.health {
            case .connected: "Connected"
            case .needsAttention: "Needs attention"
            case .disconnected: "Disconnected"
            }
        cause = connection.healthCause
        message = connection.healthMessage
        fix = connection.fix
        accounts = ConsoleFormat.count(overview.stats.accounts)
        activeAccounts = ConsoleFormat.count(overview.stats.activeAccounts)
        importsSelectedTeams = connection.platform.importsSelectedTeams
        teams = ConsoleFormat.count(overview.stats.teams)
        selectedTeams = importsSelectedTeams ? ConsoleFormat.count(overview.stats.selectedTeams) : nil
        verifiedAt = connection.lastVerifiedAt.map(ConsoleFormat.dateTime)
        apiBaseURL = connection.apiBaseURL
        authBaseURL = connection.authBaseURL
        latestImport = overview.latestImport.map(ImportRow.Status.init)
    }
}

/// A confirmation pop-up (a page without script): what will happen, and the button that does it.
struct Confirmation {
    let heading: String
    let points: [String]
    let action: String
    let hidden: [Hidden]
    let confirm: String
    let danger: Bool
    let cancel: String
    let canConfirm: Bool

    struct Hidden {
        let name: String
        let value: String
    }
}

/// The credential fields of each platform's form, in the words of the platform's own app settings.
enum ConnectFields {
    static let labels: [String: (String, String?)] = [
        "bot_token": ("Bot token", "xoxb-… from OAuth & Permissions, with users:read, users:read.email, usergroups:read, chat:write, im:write."),
        "client_id": ("Client ID", "From the app's Basic Information (Slack), Overview (Microsoft), App Credentials (Zoom) or integration (Webex)."),
        "client_secret": ("Client secret", nil),
        "team_id": ("Team ID", "Only for an Enterprise Grid org-wide app: the workspace to use."),
        "tenant_id": ("Directory (tenant) ID", "From the app registration's Overview in Microsoft Entra."),
        "bot_app_id": ("Bot app ID", "When the bot has its own app registration."),
        "bot_app_secret": ("Bot app secret", nil),
        "teams_app_id": ("Teams app ID", "The catalog id of the Teams app that carries the bot, to install it for people."),
        "bot_service_url": ("Bot service URL", "Leave empty for the public cloud."),
        "account_id": ("Account ID", "From the Server-to-Server OAuth app's App Credentials."),
        "chatbot_client_id": ("Chatbot client ID", "The Team Chat app's credentials, for the bot's messages."),
        "chatbot_client_secret": ("Chatbot client secret", nil),
        "robot_jid": ("Bot JID", "The chatbot's JID from its Features page."),
        "consent_client_id": ("Consent app client ID", "A user-managed OAuth app for people's own consent."),
        "consent_client_secret": ("Consent app client secret", nil),
        "admin_token": ("Admin access token", "A token of a Webex admin (or a service app), with spark-admin:people_read."),
    ]

    /// Where a platform names a field differently.
    static let overrides: [Platform: [String: (String, String?)]] = [
        .webex: ["bot_token": ("Bot access token", "The Webex bot that sends people their prompts.")]
    ]

    static func label(_ platform: Platform, _ name: String) -> (String, String?) {
        overrides[platform]?[name] ?? labels[name] ?? (name, nil)
    }

    static let secret: Set<String> = [
        "bot_token", "client_secret", "bot_app_secret", "chatbot_client_secret", "consent_client_secret", "admin_token",
    ]

    static let intro: [Platform: String] = [
        .slack: "Install your UserSync Slack app in the workspace, then paste its bot token. UserSync checks it with auth.test before saving.",
        .teams:
            "Register an app in Microsoft Entra with the Graph application permissions User.Read.All, Team.ReadBasic.All, TeamMember.Read.All and User.Invite.All; UserSync checks it with a token request and /organization.",
        .zoom: "Create a Server-to-Server OAuth app with user:read:admin and group:read:admin. UserSync checks it with a token request.",
        .webex: "Paste an admin's (or service app's) access token. UserSync checks it with /people/me.",
    ]
}
