import Foundation
import Hummingbird
import UserSyncUseCases

/// The pages a person reaches from a consent prompt. No API key: the link (and then the OAuth
/// state) is the credential. Nothing here is cached or passed on in a `Referer`.
struct ConsentRoutes {
    let flow: ConsentFlow

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("consent/{token}", use: open)
        router.get("oauth/{platform}/callback", use: callback)
    }

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        Self.render(try await flow.open(context.parameters.get("token") ?? "", logger: context.logger))
    }

    @Sendable func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        return Self.render(try await flow.callback(platform: context.parameters.get("platform") ?? "", query: query, logger: context.logger))
    }

    static func render(_ answer: ConsentFlow.Answer) -> Response {
        var headers: HTTPFields = [
            .cacheControl: "no-store", .init("Referrer-Policy")!: "no-referrer",
            .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'",
        ]
        switch answer {
        case .redirect(let url):
            headers[.location] = url
            return Response(status: .found, headers: headers)
        case .page(let status, let title, let message):
            headers[.contentType] = "text/html; charset=utf-8"
            let html = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>\(escape(title))</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style>
                </head><body><h1>\(escape(title))</h1><p>\(escape(message))</p></body></html>
                """
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
