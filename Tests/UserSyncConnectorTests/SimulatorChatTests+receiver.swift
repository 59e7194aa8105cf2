import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UserSyncTestSupport

/// A stand-in for UserSync's event URLs (`POST /events/{name}`): records every request as it
/// arrived and answers as `respond` says.
final class EventReceiver: Sendable {
    struct Received: Sendable {
        /// The `{name}` of the path, so one receiver can be several URLs.
        var name: String
        /// Header values by lowercased name.
        var headers: [String: String]
        /// Query parameters, decoded (Graph's `validationToken`).
        var query: [String: String] = [:]
        var body: Data

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var body = ""
        var contentType = "text/plain"
        /// How long to wait before answering (to outlast the platform's deadline).
        var delay: Duration = .zero
    }

    /// The request and how many requests came before it.
    typealias Respond = @Sendable (Received, Int) async -> Answer

    private let log = Mutex<[Received]>([])
    private let respond: Respond
    private let base = Mutex("")

    private init(respond: @escaping Respond) { self.respond = respond }

    /// `http://127.0.0.1:{port}/events/{name}`
    func url(_ name: String) -> String { base.withLock { $0 } + "/events/" + name }

    /// Everything received so far, oldest first.
    var received: [Received] { log.withLock { $0 } }

    private func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post("/events/:name") { request, context in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            let received = Received(
                name: context.parameters.get("name") ?? "", headers: headers, query: query, body: Data(buffer.readableBytesView))
            let index = self.log.withLock { log in
                log.append(received)
                return log.count - 1
            }
            let answer = await self.respond(received, index)
            if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
            return Response(
                status: answer.status, headers: [.contentType: answer.contentType], body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        return router
    }

    /// Starts a receiver on an ephemeral port, runs `body`, and stops it.
    static func run<T: Sendable>(_ respond: @escaping Respond = { _, _ in Answer() }, _ body: @Sendable (EventReceiver) async throws -> T)
        async throws -> T
    {
        var logger = Logger(label: "event-receiver")
        logger.logLevel = .critical
        let port = PortBox()
        let receiver = EventReceiver(respond: respond)
        let app = Application(
            router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { port.set($0.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
            group.addTask { try await services.run() }
            let bound = try await port.wait()
            receiver.base.withLock { $0 = "http://127.0.0.1:\(bound)" }
            let result: Result<T, any Error>
            do { result = .success(try await body(receiver)) } catch { result = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}
