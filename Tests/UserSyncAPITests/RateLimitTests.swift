import Foundation
import HTTPTypes
import Testing
import UserSyncDomain

/// Each API key and each SCIM token has a request budget; a runaway client gets 429s with
/// `Retry-After` and nobody else notices.
@Suite("Request rate limits per credential")
struct RateLimitTests {
    /// Three requests at once, then one every 1,000 seconds: the fourth is always refused.
    static let limit = RequestRateLimit(perSecond: 0.001, burst: 3)

    @Test("a key past its burst gets 429 with Retry-After; other keys and the operator go on")
    func apiKeys() async throws {
        try await withAPI(rateLimit: Self.limit) { api in
            try await api.createOrganization("acme")
            let busy = try await api.createKey("acme"), quiet = try await api.createKey("acme")
            for _ in 0..<3 { #expect(try await api.call(.get, "/v1/orgs/acme", token: busy.secret).status == .ok) }
            let refused = try await api.call(.get, "/v1/orgs/acme", token: busy.secret)
            #expect(refused.status == .tooManyRequests, "\(refused.text)")
            #expect(try refused.decode(ProblemReply.self).code == "rate_limited")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect((900...1_000).contains(retryAfter), "one token refills in 1,000 s: \(retryAfter)")
            #expect(try await api.call(.get, "/v1/orgs/acme", token: quiet.secret).status == .ok)
            for _ in 0..<10 { #expect(try await api.call(.get, "/v1/orgs/acme").status == .ok, "the operator is never limited") }
        }
    }

    @Test("a SCIM token past its burst gets SCIM's 429 error with Retry-After")
    func scimTokens() async throws {
        try await withAPI(rateLimit: Self.limit) { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken()
            for _ in 0..<3 { #expect(try await api.scim(.get, "/Users", token: token.secret).status == .ok) }
            let refused = try await api.scim(.get, "/Users", token: token.secret)
            #expect(refused.isError(.tooManyRequests), "\(refused.text)")
            #expect(refused.headers[.retryAfter].flatMap(Int.init) != nil)
        }
    }
}
