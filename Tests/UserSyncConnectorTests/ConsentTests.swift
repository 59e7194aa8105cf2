import AsyncHTTPClient
import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@Suite("People's consent: authorize, exchange, refresh, revoke")
struct ConsentTests {
    static let redirect = "https://sync.example.com/oauth/callback"

    /// Follows the authorize URL the way a browser would and returns where the platform sends it back.
    static func authorize(_ url: String) async throws -> String {
        try await withNonRedirectingClient { client in
            let response = try await get(client, url)
            #expect(response.status == 302, "\(response.body)")
            return response.headers.first(name: "Location") ?? ""
        }
    }

    @Test("the code round trip gives the person's own tokens", arguments: Platform.allCases)
    func codeRoundTrip(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 4, size: 200)
            let person = try #require(MessagingTests.someone(platforms, on: platform))
            platforms.simulator.setAutoApprove(.allow, login: person.emails[0])
            let connector = platforms.connector(platform, organization: "acme")

            let url = try connector.authorizeURL(.init(state: "state-123", redirectURI: Self.redirect))
            let location = try await Self.authorize(url)
            #expect(location.hasPrefix(Self.redirect))
            #expect(queryItem(location, "state") == "state-123")
            let code = try #require(queryItem(location, "code"))

            let tokens = try await connector.exchangeCode(code, redirectURI: Self.redirect)
            #expect(tokens.platformUserID == person.id)
            #expect(tokens.refreshToken != nil)
            #expect(tokens.expiresAt.map { $0 > Date() } == true)
            // A code works once.
            #expect(await expectFailure { _ = try await connector.exchangeCode(code, redirectURI: Self.redirect) } != nil)

            #expect(try await connector.verifyUserTokens(tokens) == person.id)
            let refreshed = try await connector.refresh(tokens)
            #expect(refreshed.accessToken != tokens.accessToken)
            #expect(refreshed.platformUserID == person.id)

            let outcome = try await connector.revoke(refreshed)
            if platform == .webex || platform == .teams {
                #expect(outcome == .notSupportedUpstream)
            } else {
                #expect(outcome == .revoked)
                let failure = await expectFailure { _ = try await connector.refresh(refreshed) }
                #expect(failure?.fixer == .user, "\(String(describing: failure))")
                let rejected = await expectFailure { _ = try await connector.verifyUserTokens(refreshed) }
                #expect(rejected?.cause == .userAuthorizationRejected, "\(String(describing: rejected))")
                #expect(try await connector.revoke(refreshed) == .alreadyInvalid)
            }
        }
    }

    @Test("a person who denies comes back with access_denied and no code", arguments: Platform.allCases)
    func denial(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            platforms.simulator.setAutoApprove(.deny)
            let url = try platforms.connector(platform, organization: "acme").authorizeURL(.init(state: "s", redirectURI: Self.redirect))
            let location = try await Self.authorize(url)
            #expect(queryItem(location, "error") == "access_denied")
            #expect(queryItem(location, "state") == "s")
            #expect(queryItem(location, "code") == nil)
        }
    }

    @Test("without auto-approval the authorize page asks, and its form completes the flow")
    func consentPage() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            let person = try #require(MessagingTests.someone(platforms, on: .slack))
            let url = try platforms.connector(.slack, organization: "acme").authorizeURL(.init(state: "s", redirectURI: Self.redirect))
            try await withNonRedirectingClient { client in
                let page = try await get(client, url)
                #expect(page.status == 200)
                #expect(page.body.contains("Allow") && page.body.contains("Deny"))
                var form = HTTPClientRequest(url: "\(platforms.baseURL)/slack/oauth/v2/authorize")
                form.method = .POST
                form.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                let clientID = try #require(queryItem(url, "client_id"))
                let fields =
                    "client_id=\(clientID)&redirect_uri=\(Self.redirect.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&state=s&login=\(person.id)&decision=allow"
                form.body = .bytes(.init(string: fields))
                let response = try await client.execute(form, timeout: .seconds(5))
                #expect(response.status.code == 302)
                #expect(queryItem(response.headers.first(name: "Location") ?? "", "code") != nil)
            }
        }
    }

    @Test("a connection without an OAuth client cannot ask people to authorize")
    func noClient() async throws {
        try await SimulatedPlatforms.run { platforms in
            let connector = platforms.factory.connector(
                for: .init(
                    key: "k", credentials: .slack(.init(botToken: "xoxb-1")), endpoints: .simulator(.slack, base: platforms.baseURL)))
            #expect(throws: PlatformFailure.self) { _ = try connector.authorizeURL(.init(state: "s", redirectURI: Self.redirect)) }
        }
    }
}
