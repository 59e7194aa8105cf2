import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import UserSyncDomain

/// A platform's way of saying no, rendered by each platform's dialect.
enum SimError: Error {
    case rateLimited(retryAfter: String)
    case unavailable(status: Int)
    case unauthorized(SimulatorState.AuthFailure)
    case forbidden(code: String, message: String)
    case notFound(code: String, message: String)
    case badRequest(code: String, message: String)
    case conflict(code: String, message: String)
}

/// Helpers every platform's routes share.
struct SimHTTP: Sendable {
    let state: SimulatorState

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> SimReply {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return SimReply(status: status, headers: headers, body: ByteBuffer(bytes: data))
    }

    /// The same for the simulator's literal bodies, written without `JSONEncoder`.
    static func json(_ value: [String: AnyCodable], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> SimReply {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return SimReply(status: status, headers: headers, body: ByteBuffer(bytes: AnyCodable.object(value).json))
    }

    static func raw(
        _ text: String, status: HTTPResponse.Status = .ok, contentType: String = "application/json; charset=utf-8",
        headers: HTTPFields = [:]
    ) -> SimReply {
        var headers = headers
        headers[.contentType] = contentType
        return SimReply(status: status, headers: headers, body: ByteBuffer(string: text))
    }

    static func redirect(_ location: String) -> SimReply {
        SimReply(status: .found, headers: [.location: location], body: ByteBuffer())
    }

    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.prefix(7).lowercased() == "bearer " else { return nil }
        // Trimmed without Foundation's `trimmingCharacters`, a twentieth of the simulator's CPU when
        // every platform call carries a token.
        var token = value.dropFirst(7)
        while token.first?.isWhitespace == true { token.removeFirst() }
        while token.last?.isWhitespace == true { token.removeLast() }
        return String(token)
    }

    /// `user:password` from HTTP Basic authorization.
    static func basic(_ request: Request) -> (String, String)? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(value.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// A path parameter, percent-decoded (the router hands them over as sent).
    static func param(_ context: BasicRequestContext, _ name: String) -> String? {
        context.parameters.get(name).map { $0.removingPercentEncoding ?? $0 }
    }

    static func query(_ request: Request) -> [String: String] { decodeForm(request.uri.query ?? "") }

    /// Query and form fields together (Slack and OAuth endpoints accept either).
    static func fields(_ request: Request) async -> [String: String] {
        var fields = query(request)
        var request = request
        if let buffer = try? await request.collectBody(upTo: 1 << 20) {
            if request.headers[.contentType]?.contains("json") == true {
                // An object or a list (Slack's `metadata`) as JSON text.
                fields.merge(AnyCodable.fields(json: Array(buffer.readableBytesView)) ?? [:]) { _, json in json }
            } else {
                fields.merge(decodeForm(String(buffer: buffer))) { _, form in form }
            }
        }
        return fields
    }

    /// A JSON object body as Foundation's `JSONSerialization` would give it (null as `NSNull`).
    static func jsonBody(_ request: Request) async -> [String: Any]? {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: 1 << 20) else { return nil }
        return jsonObject(buffer)?.mapValues(\.foundationValue)
    }

    private static func jsonObject(_ buffer: ByteBuffer) -> [String: AnyCodable]? {
        guard case .object(let members) = AnyCodable.parse(json: Array(buffer.readableBytesView)) else { return nil }
        return members
    }

    static func decodeForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func escape(_ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// The simulator's base URL as the caller reached it.
    func baseURL(_ request: Request) -> String {
        if let configured = state.configuration.publicURL { return configured }
        return "http://\(request.head.authority ?? "127.0.0.1")"
    }

    /// Registers a route that needs a live token of one of `kinds` for `platform`.
    func route(
        _ router: Router<BasicRequestContext>, _ platform: Platform, _ method: HTTPRequest.Method, _ path: RouterPath,
        _ endpoint: String, kinds: Set<SimToken.Kind>, render: @escaping @Sendable (SimError) -> SimReply,
        _ handler: @escaping @Sendable (Request, BasicRequestContext, SimToken) async throws -> SimReply
    ) {
        router.on(path, method: method) { request, context in
            try await serve(platform, endpoint, render: render) {
                switch state.authenticate(Self.bearer(request), platform: platform, kinds: kinds) {
                case .success(let token): return try await handler(request, context, token)
                case .failure(let failure): throw SimError.unauthorized(failure)
                }
            }
        }
    }

    /// Counts the call, applies any fault that fires, and otherwise answers with `body`.
    func serve(
        _ platform: Platform, _ endpoint: String, render: @Sendable (SimError) -> SimReply,
        _ body: () async throws -> SimReply
    ) async throws -> Response {
        state.count(platform, endpoint)
        let reply = try await answer(platform, endpoint, render: render, body)
        state.count(platform, endpoint, status: Int(reply.status.code))
        return reply.response
    }

    private func answer(
        _ platform: Platform, _ endpoint: String, render: @Sendable (SimError) -> SimReply,
        _ body: () async throws -> SimReply
    ) async throws -> SimReply {
        let faults = state.faults(platform, endpoint)
        for fault in faults where fault.kind == .latency {
            try await Task.sleep(for: .milliseconds(fault.latencyMs ?? 100))
        }
        func normal() async throws -> SimReply {
            do { return try await body() } catch let error as SimError { return render(error) }
        }
        guard let fault = faults.first(where: { $0.kind != .latency }) else { return try await normal() }
        switch fault.kind {
        case .rateLimit:
            let seconds = fault.retryAfter ?? 1
            let at = Date().addingTimeInterval(seconds)
            // Zoom's daily limits name the reset time as an ISO timestamp; the others use HTTP dates.
            let value =
                fault.retryAfterAsDate != true
                ? String(Int(seconds.rounded(.up)))
                : platform == .zoom ? ISO8601DateFormatter().string(from: at) : Self.httpDate(at)
            return render(.rateLimited(retryAfter: value))
        case .serverError:
            return render(.unavailable(status: fault.status ?? 503))
        case .revokedToken:
            return render(.unauthorized(.revoked))
        case .malformed:
            return Self.raw("<html><body>upstream proxy error</body></html>{\"ok\": tr")
        case .truncated:
            var reply = try await normal()
            reply.body = reply.body.getSlice(at: reply.body.readerIndex, length: max(1, reply.body.readableBytes / 2)) ?? ByteBuffer()
            return reply
        case .redirect:
            return SimReply(status: .temporaryRedirect, headers: [.location: fault.location ?? "/"], body: ByteBuffer())
        case .latency:
            return try await normal()
        }
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static func retryAfterHeaders(_ value: String) -> HTTPFields {
        [HTTPField.Name("Retry-After")!: value]
    }
}

/// A response built whole, so faults can cut it short.
struct SimReply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    var response: Response { Response(status: status, headers: headers, body: .init(byteBuffer: body)) }
}
