import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// The endpoint each platform lists users on, as the simulator names it.
let usersEndpoint: [Platform: String] = [.slack: "users.list", .teams: "users", .zoom: "users", .webex: "people"]

/// Expects `body` to throw a `PlatformFailure` and returns it.
func expectFailure(
    _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) async -> PlatformFailure? {
    do {
        try await body()
        Issue.record("expected a platform failure", sourceLocation: sourceLocation)
        return nil
    } catch let failure as PlatformFailure {
        return failure
    } catch {
        Issue.record("expected a platform failure, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// An HTTP client that does not follow redirects, to read where an OAuth page sends the browser.
func withNonRedirectingClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try await client.shutdown()
        throw error
    }
}

func get(_ client: HTTPClient, _ url: String, headers: HTTPHeaders = [:]) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
    var request = HTTPClientRequest(url: url)
    request.headers = headers
    let response = try await client.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), response.headers, String(buffer: body))
}

func queryItem(_ url: String, _ name: String) -> String? {
    URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
}
