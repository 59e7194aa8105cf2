import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import UserSyncDomain

/// One HTTP exchange with a platform, as a connector describes it.
struct PlatformRequest: Sendable {
    /// Whose token the request carries: decides whether a rejected token needs the admin or the user.
    enum Credential: Sendable { case app, user, none }

    var method: HTTPMethod = .GET
    var url: String
    var headers: HTTPHeaders = [:]
    var body: ByteBuffer?
    /// A short, bounded name for logs and errors (`users.list`, `GET /users`). Never the URL,
    /// which may carry cursors.
    var endpoint: String
    var credential: Credential = .app
    /// Whether resending after an unknown outcome (timeout, 5xx) is safe. Posting a message is not:
    /// it is retried only when the platform refused it outright (429).
    var idempotent = true

    static func get(_ url: String, endpoint: String, bearer: String?, credential: Credential = .app) -> Self {
        var request = Self(url: url, endpoint: endpoint, credential: credential)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        request.headers.add(name: "Accept", value: "application/json")
        return request
    }

    /// A form POST. Token requests are idempotent only for client credentials: an authorization
    /// code redeems once and a rotating refresh token is replaced by its first use.
    static func form(
        _ url: String, endpoint: String, fields: [(String, String)], authorization: String?,
        credential: Credential = .app, idempotent: Bool = true
    ) -> Self {
        var request = Self(method: .POST, url: url, endpoint: endpoint, credential: credential, idempotent: idempotent)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = ByteBuffer(string: FormEncoding.encode(fields))
        return request
    }

    static func json(
        _ url: String, method: HTTPMethod = .POST, endpoint: String, body: some Encodable, bearer: String,
        credential: Credential = .app, idempotent: Bool = false
    ) -> Self {
        // The bodies are our own structs of strings and arrays, which always encode.
        let bytes = (try? JSONEncoder().encode(body)) ?? Data("{}".utf8)
        return json(
            url, method: method, endpoint: endpoint, body: ByteBuffer(bytes: bytes), bearer: bearer, credential: credential, idempotent: idempotent)
    }

    /// The same for a body sent in bulk, which writes its own JSON (a Slack prompt for each person).
    static func json(
        _ url: String, method: HTTPMethod = .POST, endpoint: String, body: some JSONWritable, bearer: String,
        credential: Credential = .app, idempotent: Bool = false
    ) -> Self {
        let bytes = JSONWriter.bytes(of: body, capacity: 512)
        return json(
            url, method: method, endpoint: endpoint, body: ByteBuffer(bytes: bytes), bearer: bearer, credential: credential, idempotent: idempotent)
    }

    private static func json(
        _ url: String, method: HTTPMethod, endpoint: String, body: ByteBuffer, bearer: String, credential: Credential, idempotent: Bool
    ) -> Self {
        var request = Self(method: method, url: url, endpoint: endpoint, credential: credential, idempotent: idempotent)
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = body
        return request
    }
}

struct PlatformResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var data: Data { Data(body.readableBytesView) }
}

/// Sends platform requests through one connection's rate limiter with bounded, jittered retries,
/// and turns every failure into a ``PlatformFailure`` using the platform's own error reading.
struct PlatformHTTP: Sendable {
    /// Reads a platform's error out of a response; nil means the response is a success.
    typealias Classify = @Sendable (PlatformResponse, PlatformRequest) -> PlatformFailure?

    let platform: Platform
    let client: HTTPClient
    let settings: ConnectorSettings
    let limiter: RateLimiter
    let classify: Classify
    let logger: Logger

    /// Sends `request` and decodes a successful response with `decode`. A body that cannot be
    /// decoded counts as `malformedResponse`, retried like a transient failure.
    func send<T>(
        _ request: PlatformRequest,
        decode: (PlatformResponse) throws(PlatformFailure) -> T
    ) async throws(PlatformFailure) -> T {
        var attempt = 0
        while true {
            attempt += 1
            let failure: PlatformFailure
            do {
                let response = try await exchange(request)
                if let refused = classify(response, request) {
                    failure = refused
                } else {
                    do {
                        let decoded = try decode(response)
                        logger.trace(
                            "platform call",
                            metadata: [
                                "endpoint": "\(request.endpoint)", "status": "\(response.status)", "attempt": "\(attempt)",
                            ])
                        return decoded
                    } catch { failure = error }
                }
            } catch {
                failure = error
            }
            if failure.cause == .rateLimited {
                // Every caller of this connection waits, not only this one, even after the last attempt.
                let retryAt = failure.retryAt ?? settings.now().addingTimeInterval(settings.defaultRetryAfter.seconds)
                await limiter.pause(until: ContinuousClock().now + .seconds(max(0, retryAt.timeIntervalSince(settings.now()))))
            }
            guard attempt < settings.maxAttempts, let wait = retryWait(after: failure, request: request, attempt: attempt)
            else {
                logger.debug("platform call failed", metadata: metadata(request, failure, attempt))
                throw failure
            }
            logger.info("platform call will be retried", metadata: metadata(request, failure, attempt))
            if let wait {
                do { try await Task.sleep(for: wait) } catch { throw cancelled(request) }
            }
        }
    }

    func sendJSON<T: Decodable>(_ request: PlatformRequest, as type: T.Type) async throws(PlatformFailure) -> T {
        try await send(request) { response throws(PlatformFailure) in try decodeJSON(type, response, request) }
    }

    func decodeJSON<T: Decodable>(_ type: T.Type, _ response: PlatformResponse, _ request: PlatformRequest) throws(PlatformFailure) -> T {
        do { return try JSONDecoder().decode(type, from: response.data) } catch {
            throw PlatformFailure(
                .malformedResponse, platform: platform,
                message: "\(request.endpoint) returned a body that is not the expected JSON", httpStatus: response.status)
        }
    }

    /// How long to wait before the next attempt, or nil when the failure must be surfaced now.
    /// Returns `.some(nil)` when the rate limiter does the waiting (it holds every caller).
    private func retryWait(after failure: PlatformFailure, request: PlatformRequest, attempt: Int) -> Duration?? {
        switch failure.cause {
        case .rateLimited:
            let retryAt = failure.retryAt ?? settings.now().addingTimeInterval(settings.defaultRetryAfter.seconds)
            guard retryAt.timeIntervalSince(settings.now()) <= settings.maxInlineRetryAfter.seconds else { return nil }
            return .some(nil)
        case .platformUnavailable, .malformedResponse:
            guard request.idempotent || failure.httpStatus == 503 && failure.retryAt != nil else { return nil }
            if let retryAt = failure.retryAt {
                let delay = retryAt.timeIntervalSince(settings.now())
                guard delay <= settings.maxInlineRetryAfter.seconds else { return nil }
                return .some(.seconds(max(0, delay)))
            }
            return .some(Backoff(base: settings.baseBackoff, cap: settings.maxBackoff, jitter: .full).delay(afterAttempt: attempt))
        default:
            return nil
        }
    }

    private func exchange(_ request: PlatformRequest) async throws(PlatformFailure) -> PlatformResponse {
        let tooLong: Duration?
        do { tooLong = try await limiter.acquire(limit: settings.maxInlineRetryAfter) } catch { throw cancelled(request) }
        if let tooLong {
            // The connection is paused by an earlier Retry-After for longer than we wait in place.
            throw PlatformFailure(
                .rateLimited, platform: platform, message: "\(platform.rawValue) asked this connection to wait",
                retryAt: settings.now().addingTimeInterval(tooLong.seconds))
        }
        if let refusal = await settings.outbound.refusal(of: request.url, platform: platform, isRequest: true) {
            throw PlatformFailure(.destinationRefused, platform: platform, message: "\(request.endpoint): the URL \(refusal.message)")
        }
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body { outgoing.body = .bytes(body) }
        do {
            let response = try await client.execute(outgoing, timeout: .init(settings.requestTimeout))
            let body = try await response.body.collect(upTo: settings.maxResponseBytes)
            return PlatformResponse(status: Int(response.status.code), headers: response.headers, body: body)
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw PlatformFailure(
                .malformedResponse, platform: platform,
                message: "\(request.endpoint) returned more than \(settings.maxResponseBytes) bytes")
        } catch is CancellationError {
            throw cancelled(request)
        } catch {
            throw PlatformFailure(
                .platformUnavailable, platform: platform,
                message: "\(request.endpoint) could not be reached: \(Self.describe(error))")
        }
    }

    private func cancelled(_ request: PlatformRequest) -> PlatformFailure {
        PlatformFailure(.platformUnavailable, platform: platform, message: "\(request.endpoint) was cancelled")
    }

    private func metadata(_ request: PlatformRequest, _ failure: PlatformFailure, _ attempt: Int) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "platform": "\(platform.rawValue)", "endpoint": "\(request.endpoint)",
            "cause": "\(failure.cause.rawValue)", "attempt": "\(attempt)",
        ]
        if let status = failure.httpStatus { metadata["status"] = "\(status)" }
        if let code = failure.platformCode { metadata["platform_code"] = "\(code)" }
        return metadata
    }

    /// Transport errors described without the URL (which may hold cursors) or headers.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return "timed out"
            case .connectTimeout: return "connection timed out"
            case .remoteConnectionClosed: return "the connection was closed"
            default: break
            }
        }
        return "connection failed"
    }
}

extension TimeAmount {
    init(_ duration: Duration) { self = .nanoseconds(Int64(duration.seconds * 1e9)) }
}
