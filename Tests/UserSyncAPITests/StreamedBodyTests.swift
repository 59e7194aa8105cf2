import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import UserSyncAPI

/// A body sent without `Content-Length` (chunked) is held to the limit while it is read; the
/// announced-length path is covered by `BadInputTests` (the test client always announces one).
@Suite struct StreamedBodyTests {
    static func request(chunks: [Int]) -> Request {
        let stream = AsyncStream<ByteBuffer> { continuation in
            for size in chunks { continuation.yield(ByteBuffer(repeating: UInt8(ascii: " "), count: size)) }
            continuation.yield(ByteBuffer(string: #"{"name":"k","role":"admin"}"#))
            continuation.finish()
        }
        let head = HTTPRequest(
            method: .post, scheme: "http", authority: "usersync.test", path: "/v1/orgs/acme/keys",
            headerFields: [.contentType: "application/json"])
        return Request(head: head, body: RequestBody(asyncSequence: stream))
    }

    @Test("a streamed body over the limit is a 413 body_too_large")
    func overTheLimit() async throws {
        let error = await #expect(throws: APIError.self) {
            _ = try await Self.request(chunks: [40_000, 40_000]).decodeBody(APIKeyRoutes.CreateBody.self, limit: 64 * 1024)
        }
        #expect(error?.status == .contentTooLarge && error?.code == "body_too_large")
    }

    @Test("a streamed body within the limit is read whole")
    func withinTheLimit() async throws {
        let body = try await Self.request(chunks: [10_000, 10_000]).decodeBody(APIKeyRoutes.CreateBody.self, limit: 64 * 1024)
        #expect(body.name == "k" && body.role == "admin")
    }
}
