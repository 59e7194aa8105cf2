import Foundation
import Hummingbird
import HummingbirdAuth
import UserSyncDomain
import UserSyncSecrets
import UserSyncUseCases

/// Signing in and out of the console, invitation links, the console's root and its static files.
struct ConsoleSignInRoutes {
    let signIn: ConsoleSignIn
    let sessions: ConsoleSessions
    let settings: ConsoleSettings
    let renderer: ConsoleRenderer

    static let sessionCookie = "usersync_session"
    static let attemptCookie = "usersync_sign_in"
    static let formCookie = "usersync_form"

    func addRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("", use: root)
        console.get("static/{file}", use: asset)
        console.get("sign-in", use: signInPage)
        console.post("sign-in/key", use: signInWithKey)
        console.get("sign-in/{provider}", use: begin)
        console.get("sign-in/{provider}/callback", use: callback)
        console.get("invitations/{token}", use: invitation)
        console.post("sign-out", use: signOut)
    }

    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return ConsoleOrganizationMiddleware.redirect("/console/sign-in") }
        return ConsoleOrganizationMiddleware.redirect("/console/\(identity.organization.slug.rawValue)")
    }

    @Sendable func asset(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let asset = renderer.assets[context.parameters.get("file") ?? ""] else { throw DomainError.notFound(resource: "file") }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable"],
            body: .init(byteBuffer: asset.body))
    }

    struct SignInPage {
        let organization: String
        let hasOrganization: Bool
        let next: String?
        let providers: [Provider]
        let formToken: String
        let error: String?

        struct Provider {
            let name: String
            let href: String
            let slack: Bool
        }
    }

    /// The sign-in page: a platform account for a named organization, or an API key.
    @Sendable func signInPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        return signInPage(organization: query["org"] ?? "", next: Self.safeNext(query["next"]), error: nil, status: .ok)
    }

    func signInPage(organization: String, next: String?, error: String?, status: HTTPResponse.Status) -> Response {
        let token = ConsoleSession.randomToken()
        var parameters = [("org", organization)]
        if let next { parameters.append(("next", next)) }
        let providers = signIn.availableProviders.map { provider in
            SignInPage.Provider(
                name: provider.displayName, href: "/console/sign-in/\(provider.rawValue)?" + Self.query(parameters), slack: provider == .slack)
        }
        var response = renderer.page(
            "sign-in", title: "Sign in", identity: nil,
            body: SignInPage(
                organization: organization, hasOrganization: !organization.isEmpty, next: next, providers: providers, formToken: token, error: error),
            status: status)
        // Double-submit token for the API key form, which no session protects yet.
        response.setCookie(cookie(Self.formCookie, token, path: "/console/sign-in", maxAge: 3600, strict: true))
        return response
    }

    /// Starts a sign-in with a platform account: to the provider, with the attempt sealed in a cookie.
    @Sendable func begin(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        guard let provider = IdentityProvider(rawValue: context.parameters.get("provider") ?? "") else {
            throw DomainError.notFound(resource: "sign_in_provider")
        }
        let invitation = query["invitation"]
        guard invitation != nil || query["org"] != nil else {
            return signInPage(organization: "", next: nil, error: "Enter your organization first.", status: .badRequest)
        }
        let (url, sealed) = try await signIn.begin(provider, organization: query["org"], invitation: invitation, logger: context.logger)
        var response = ConsoleOrganizationMiddleware.redirect(url)
        response.setCookie(cookie(Self.attemptCookie, sealed, path: "/console/sign-in", maxAge: Int(settings.signInLifetime.seconds), strict: false))
        return response
    }

    /// The provider's callback: the session starts here.
    @Sendable func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let provider = IdentityProvider(rawValue: context.parameters.get("provider") ?? "") else {
            throw DomainError.notFound(resource: "sign_in_provider")
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let attempt = request.cookies[Self.attemptCookie]?.value
        do {
            let session = try await signIn.complete(
                provider, query: query, sealedAttempt: attempt, requestID: context.requestID, logger: context.logger)
            var response = try await start(session, request: request, context: context)
            response.setCookie(cookie(Self.attemptCookie, "", path: "/console/sign-in", maxAge: 0, strict: false))
            return response
        } catch let failure as ConsoleSignIn.Failure {
            let status: HTTPResponse.Status = if case .refused = failure { .forbidden } else { .badRequest }
            return signInPage(organization: "", next: nil, error: failure.message, status: status)
        }
    }

    /// Exchanges a pasted API key for a session.
    @Sendable func signInWithKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = ConsoleForm(encoded: String(buffer: try await request.body.collect(upTo: context.bodyLimit)))
        guard let token = form.raw("_form"), let expected = request.cookies[Self.formCookie]?.value, constantTimeEquals(token, expected) else {
            return signInPage(organization: "", next: nil, error: "This form has expired. Try again.", status: .forbidden)
        }
        do {
            let session = try await signIn.signIn(apiKey: form.raw("api_key") ?? "", requestID: context.requestID, logger: context.logger)
            return try await start(session, request: request, context: context, next: Self.safeNext(form["next"]))
        } catch let failure as ConsoleSignIn.Failure {
            return signInPage(organization: "", next: Self.safeNext(form["next"]), error: failure.message, status: .forbidden)
        }
    }

    /// Begins a new session (a new id: an older cookie's session ends) and goes to the console.
    private func start(_ session: ConsoleSession, request: Request, context: AppRequestContext, next: String? = nil) async throws -> Response {
        if let old = request.cookies[Self.sessionCookie]?.value { try await sessions.end(key: old, logger: context.logger) }
        context.sessions.createSession(session, expiresIn: settings.sessionLifetime)
        guard let identity = try await sessions.identify(session, logger: context.logger) else { throw ConsoleSignIn.Failure.attemptInvalid }
        let home = "/console/\(identity.organization.slug.rawValue)"
        return ConsoleOrganizationMiddleware.redirect(next.flatMap { $0.hasPrefix(home + "/") ? $0 : nil } ?? home)
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = ConsoleForm(encoded: String(buffer: try await request.body.collect(upTo: context.bodyLimit)))
        if let identity = context.identity {
            guard let token = form.raw("_csrf"), constantTimeEquals(token, identity.csrfToken) else {
                throw DomainError.forbidden(message: "This form has expired. Reload the page and try again.")
            }
            context.sessions.clearSession()
        }
        return ConsoleOrganizationMiddleware.redirect("/console/sign-in")
    }

    struct InvitationPage {
        let organization: String
        let role: String
        let email: String?
        let expires: String
        let providers: [SignInPage.Provider]
    }

    /// An invitation link's landing page: who invites, for what, and the ways to accept.
    @Sendable func invitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let (organization, invitation) = try await signIn.invitation(token, logger: context.logger)
        if let refusal = invitation.unusable(at: settings.now()) {
            throw ConsoleSignIn.Failure.refused(refusal, organization: organization.name, provider: .slack)
        }
        let providers = signIn.availableProviders.map { provider in
            SignInPage.Provider(
                name: provider.displayName, href: "/console/sign-in/\(provider.rawValue)?" + Self.query([("invitation", token)]),
                slack: provider == .slack)
        }
        return renderer.page(
            "invitation", title: "Invitation to \(organization.name)", identity: nil,
            body: InvitationPage(
                organization: organization.name, role: invitation.role.rawValue, email: invitation.email,
                expires: ConsoleFormat.dateTime(invitation.expiresAt), providers: providers))
    }

    // MARK: Helpers

    private func cookie(_ name: String, _ value: String, path: String, maxAge: Int, strict: Bool) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: path, secure: settings.secureCookies, httpOnly: true, sameSite: strict ? .strict : .lax)
    }

    /// Only a path inside the console is a place to go back to after signing in.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/console/"), !next.contains("//"), !next.contains("\\"), next.count < 512 else { return nil }
        return next
    }

    static func query(_ fields: [(String, String)]) -> String {
        fields.filter { !$0.1.isEmpty }.map { "\($0.0)=\(FormEncodingForConsole.escape($0.1))" }.joined(separator: "&")
    }
}
