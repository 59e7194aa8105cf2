import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// What a slow or greedy client may hold of the server: slow-loris clients that trickle a
/// request's head or body are cut off, and connections beyond the limit wait in the kernel's
/// backlog instead of taking memory and file descriptors.
public struct HTTPServerLimits: Sendable {
    /// A connection that completes nothing (not even a request's head) for this long is closed.
    public var idleTimeout: Duration
    /// A request's body must arrive within this of its head, however steadily it trickles.
    public var requestTimeout: Duration
    /// Connections open at once.
    public var maxConnections: Int

    public init(idleTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(30), maxConnections: Int = 1_000) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
    }

    /// The HTTP/1.1 server with these limits.
    public var server: HTTPServerBuilder {
        let requestTimeout = TimeAmount(requestTimeout)
        // One deadline handler per connection (the autoclosure runs for each).
        return .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [RequestReadDeadline(timeout: requestTimeout)], idleTimeout: TimeAmount(idleTimeout)))
    }

    /// The application's configuration with the connection limit.
    public func configuration(address: BindAddress, serverName: String) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: serverName, availableConnectionsDelegate: MaximumAvailableConnections(maxConnections))
    }
}

/// Closes a connection whose request's body has not fully arrived `timeout` after its head: the
/// idle timeout alone would let a client keep it open forever by sending a byte now and then.
final class RequestReadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { context.close(promise: nil) }
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
