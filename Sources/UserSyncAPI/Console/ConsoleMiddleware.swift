import Foundation
import Hummingbird
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncSecrets
import UserSyncUseCases

/// The outer layer of every console request: refuses unsafe requests sent from other sites,
/// turns redirects and errors into pages, and sets the security headers (a strict
/// Content-Security-Policy: no inline script or style, nothing from other origins).
struct ConsolePageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: ConsoleRenderer

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            if ![.get, .head].contains(request.method),
                request.headers[.init("Sec-Fetch-Site")!].map({ $0 != "same-origin" && $0 != "none" }) ?? false
            {
                throw DomainError.forbidden(message: "This form was sent from another site, so it was refused.")
            }
            response = try await next(request, context)
        } catch {
            response = renderer.failure(error, identity: nil, request: request, logger: context.logger)
        }
        Self.secure(&response)
        return response
    }

    static func secure(_ response: inout Response) {
        response.headers[.init("Content-Security-Policy")!] = contentSecurityPolicy
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }
}

/// Admits a request to `/console/{org}/…` only with a live session of that organization (another
/// organization's session gets the same 404 as an organization that does not exist), reads the
/// form of an unsafe request and checks its CSRF token against the session's.
struct ConsoleOrganizationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: ConsoleRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let identity = context.identity else {
            if request.method == .get || request.method == .head {
                return Self.redirect("/console/sign-in?next=\(FormEncodingForConsole.escape(request.uri.path))")
            }
            return renderer.page(
                "message", title: "Signed out", identity: nil,
                body: Message(
                    heading: "Your session has ended", text: "Sign in again, then repeat what you were doing.", link: "/console/sign-in",
                    linkLabel: "Sign in"),
                status: .unauthorized)
        }
        let reference = context.parameters.get("org") ?? ""
        guard reference == identity.organization.slug.rawValue || OrganizationID(reference) == identity.organization.id else {
            return renderer.failure(DomainError.notFound(resource: "organization"), identity: nil, request: request, logger: context.logger)
        }
        var context = context
        do {
            if ![.get, .head].contains(request.method) {
                let body = try await request.body.collect(upTo: context.bodyLimit)
                let form = ConsoleForm(encoded: String(buffer: body))
                guard let token = form.raw("_csrf"), constantTimeEquals(token, identity.csrfToken) else {
                    throw DomainError.forbidden(message: "This form has expired. Reload the page and try again.")
                }
                context.consoleForm = form
            }
            return try await next(request, context)
        } catch let redirect as ConsoleRedirect {
            switch redirect {
            case .to(let location): return Self.redirect(location)
            case .signIn(let next): return Self.redirect("/console/sign-in" + (next.map { "?next=\(FormEncodingForConsole.escape($0))" } ?? ""))
            }
        } catch {
            return renderer.failure(error, identity: identity, request: request, logger: context.logger)
        }
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// A page with one message and one link.
struct Message {
    let heading: String
    let text: String
    let link: String?
    let linkLabel: String?
}

extension ConsoleRenderer {
    /// An error as a page: what went wrong in the admin's words, with the status the JSON API
    /// would answer (a client mistake is never a 500).
    func failure(_ error: any Error, identity: ConsoleIdentity?, request: Request, logger: Logger) -> Response {
        let problem: APIError
        switch error {
        case let failure as ConsoleSignIn.Failure:
            let status: HTTPResponse.Status =
                switch failure {
                case .refused, .invalidAPIKey: .forbidden
                case .provider(.providerUnavailable): .badGateway
                case .providerNotConfigured, .invitationInvalid: .notFound
                default: .badRequest
                }
            problem = APIError(status, code: "sign_in_failed", title: "Sign-in failed", detail: failure.message)
        case is ConsoleRedirect:
            problem = APIError(.badRequest, code: "bad_request", title: "Bad request", detail: "")
        default:
            problem = APIError.from(error, logger: logger)
        }
        let heading = problem.status == .notFound ? "Not found" : problem.title
        let home = identity.map { "/console/\($0.organization.slug.rawValue)" } ?? "/console/sign-in"
        return page(
            "message", title: heading, identity: identity,
            body: Message(heading: heading, text: problem.detail, link: home, linkLabel: identity == nil ? "Go to sign-in" : "Back to the console"),
            status: problem.status)
    }
}

enum FormEncodingForConsole {
    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~/"))) ?? ""
    }
}
