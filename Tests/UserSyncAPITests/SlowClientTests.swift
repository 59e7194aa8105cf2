import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing
import UserSyncAPI
import UserSyncTestSupport

/// A client that trickles a request's head or body is cut off, and connections beyond the limit
/// wait: the server's limits (`HTTPServerLimits`), on a real socket.
@Suite("Slow and greedy clients")
struct SlowClientTests {
    @Test("a body that trickles in is cut off at the request timeout, though bytes keep coming")
    func tricklingBody() async throws {
        try await withServer(HTTPServerLimits(idleTimeout: .seconds(60), requestTimeout: .seconds(1))) { port in
            let client = try RawClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n")
            let closed = try await client.trickle("a", every: .milliseconds(100), until: .seconds(60))
            #expect(closed, "the server closed the connection while the body still trickled")
        }
    }

    @Test("a head that trickles in is cut off at the idle timeout")
    func tricklingHead() async throws {
        try await withServer(HTTPServerLimits(idleTimeout: .seconds(1), requestTimeout: .seconds(60))) { port in
            let client = try RawClient(port: port)
            try client.send("GET /echo HTTP/1.1\r\n")
            let closed = try await client.trickle("X-Slow: y\r\n", every: .milliseconds(100), until: .seconds(60))
            #expect(closed)
        }
    }

    @Test("a prompt client is served, and connections past the limit wait for one to close")
    func connectionLimit() async throws {
        try await withServer(HTTPServerLimits(maxConnections: 1)) { port in
            let first = try RawClient(port: port)
            try first.send("GET /echo HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(try await first.response(within: .seconds(60)).hasPrefix("HTTP/1.1 200"))
            // The first connection stays open (keep-alive): the second is not accepted yet.
            let second = try RawClient(port: port)
            try second.send("GET /echo HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(try await second.response(within: .milliseconds(500)).isEmpty)
            first.close()
            #expect(try await second.response(within: .seconds(60)).hasPrefix("HTTP/1.1 200"))
        }
    }

    /// A server with `limits` on a loopback port, a route that reads its body, and `body`.
    private func withServer(_ limits: HTTPServerLimits, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("echo") { _, _ in "ok" }
        router.post("echo") { request, _ in String(buffer: try await request.body.collect(upTo: 1 << 20)) }
        var logger = Logger(label: "slow-clients")
        logger.logLevel = .critical
        let port = PortBox()
        let app = Application(
            router: router, server: limits.server,
            configuration: limits.configuration(address: .hostname("127.0.0.1", port: 0), serverName: "test"),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
            group.addTask { try await services.run() }
            let bound = try await port.wait()
            do {
                try await body(bound)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }
}

/// A TCP client that writes exactly what it is told, as slowly as it is told.
private final class RawClient: @unchecked Sendable {  // used from one test task at a time
    private let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard socket >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { Glibc.close(socket) }

    func close() { shutdown(socket, Int32(SHUT_RDWR)) }

    func send(_ text: String) throws {
        let sent = text.utf8CString.withUnsafeBufferPointer { Glibc.send(socket, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        guard sent == text.utf8.count else { throw POSIXError(.EPIPE) }
    }

    /// Sends `piece` every `interval` until the server closes the connection (true) or `limit` passes (false).
    func trickle(_ piece: String, every interval: Duration, until limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if isClosedByPeer() { return true }
            do { try send(piece) } catch { return true }
            try await Task.sleep(for: interval)
        }
        return false
    }

    /// What the server has sent within `limit` (empty if nothing).
    func response(within limit: Duration) async throws -> String {
        let deadline = ContinuousClock.now + limit
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            let count = recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                received += buffer[..<count]
                if String(decoding: received, as: UTF8.self).contains("\r\n\r\n") { break }
            } else if count == 0 {
                break
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    private func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        let count = recv(socket, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
