import Foundation
import NIOCore
import NIOHTTP1
import Testing
import UserSyncDomain

@testable import UserSyncConnectors

@Suite("Failure classification from each platform's own error shapes")
struct ClassificationTests {
    static func response(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> PlatformResponse {
        PlatformResponse(status: status, headers: headers, body: ByteBuffer(string: body))
    }

    static let app = PlatformRequest(url: "https://example.com", endpoint: "test")
    static var user: PlatformRequest {
        var request = app
        request.credential = .user
        return request
    }

    @Test("Slack: ok:false codes with HTTP 200, 429 and 5xx")
    func slack() {
        let cases: [(String, PlatformFailure.Cause)] = [
            ("invalid_auth", .credentialsRejected), ("token_revoked", .credentialsRejected), ("missing_scope", .permissionMissing),
            ("user_not_found", .targetNotFound), ("user_disabled", .targetUnavailable), ("ratelimited", .rateLimited),
            ("fatal_error", .platformUnavailable), ("invalid_cursor", .requestRejected),
        ]
        for (code, cause) in cases {
            #expect(SlackErrors.failure(code: code, needed: nil, request: Self.app, status: 200).cause == cause, "\(code)")
        }
        #expect(SlackErrors.failure(code: "token_revoked", needed: nil, request: Self.user, status: 200).fixer == .user)
        let missing = SlackErrors.failure(code: "missing_scope", needed: "users:read.email", request: Self.app, status: 200)
        #expect(missing.message.contains("users:read.email"))
        #expect(missing.platformCode == "missing_scope")
        let limited = SlackErrors.classify(Self.response(429, #"{"ok":false,"error":"ratelimited"}"#, headers: ["Retry-After": "30"]), Self.app)
        #expect(limited?.cause == .rateLimited)
        #expect((limited?.retryAt?.timeIntervalSinceNow ?? 0) > 28)
        #expect(SlackErrors.classify(Self.response(200, #"{"ok":false}"#), Self.app) == nil, "bodies are read by the decoder")
        #expect(SlackErrors.classify(Self.response(502, "<html>"), Self.app)?.cause == .platformUnavailable)
    }

    @Test("Microsoft: Graph codes, identity platform errors, Bot Connector blocks")
    func graph() {
        #expect(
            GraphErrors.classify(Self.response(401, #"{"error":{"code":"InvalidAuthenticationToken","message":"x"}}"#), Self.app)?.cause
                == .credentialsRejected)
        #expect(
            GraphErrors.classify(Self.response(401, #"{"error":{"code":"InvalidAuthenticationToken","message":"x"}}"#), Self.user)?.cause
                == .userAuthorizationRejected)
        #expect(
            GraphErrors.classify(
                Self.response(403, #"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#), Self.app)?.cause
                == .permissionMissing)
        #expect(
            GraphErrors.classify(
                Self.response(403, #"{"error":{"code":"Forbidden","message":"blocked","subCode":"MessageWritesBlocked"}}"#), Self.app)?.cause
                == .targetUnavailable)
        #expect(
            GraphErrors.classify(Self.response(404, #"{"error":{"code":"Request_ResourceNotFound","message":"x"}}"#), Self.app)?.cause
                == .targetNotFound)
        #expect(
            GraphErrors.classify(Self.response(401, #"{"error":"invalid_client","error_description":"AADSTS7000215"}"#), Self.app)?.cause
                == .credentialsRejected)
        #expect(
            GraphErrors.classify(Self.response(400, #"{"error":"invalid_grant","error_description":"AADSTS70008"}"#), Self.user)?.cause
                == .userAuthorizationRejected)
        let throttled = GraphErrors.classify(Self.response(503, "{}", headers: ["Retry-After": "7"]), Self.app)
        #expect(throttled?.cause == .platformUnavailable)
        #expect(throttled?.retryAt != nil)
        let rejected = GraphErrors.classify(
            Self.response(400, #"{"error":{"code":"Request_BadRequest","message":"Invalid filter clause"}}"#), Self.app)
        #expect(rejected?.cause == .requestRejected)
        #expect(rejected?.platformCode == "Request_BadRequest")
        #expect(rejected?.message.contains("Invalid filter clause") == true)
    }

    @Test("Zoom: numeric codes and OAuth errors")
    func zoom() {
        #expect(ZoomErrors.classify(Self.response(401, #"{"code":124,"message":"Invalid access token."}"#), Self.app)?.cause == .credentialsRejected)
        #expect(
            ZoomErrors.classify(
                Self.response(400, #"{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:admin]."}"#), Self.app)?.cause
                == .permissionMissing)
        #expect(ZoomErrors.classify(Self.response(404, #"{"code":1001,"message":"User does not exist"}"#), Self.app)?.cause == .targetNotFound)
        #expect(
            ZoomErrors.classify(Self.response(401, #"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#), Self.app)?.cause
                == .credentialsRejected)
        #expect(
            ZoomErrors.classify(Self.response(400, #"{"reason":"Invalid Token!","error":"invalid_grant"}"#), Self.user)?.cause
                == .userAuthorizationRejected)
        let reset = ISO8601DateFormatter().string(from: Date().addingTimeInterval(7_200))
        let daily = ZoomErrors.classify(Self.response(429, #"{"code":429,"message":"daily limit"}"#, headers: ["Retry-After": reset]), Self.app)
        #expect(daily?.cause == .rateLimited)
        #expect(abs((daily?.retryAt?.timeIntervalSinceNow ?? 0) - 7_200) < 5, "an ISO timestamp Retry-After is read as a date")
    }

    @Test("Webex: status codes, message and trackingId kept")
    func webex() {
        let failure = WebexErrors.classify(
            Self.response(423, #"{"message":"Locked","trackingId":"ROUTER_1"}"#, headers: ["Retry-After": "5"]), Self.app)
        #expect(failure?.cause == .rateLimited)
        #expect(failure?.message.contains("ROUTER_1") == true)
        #expect(WebexErrors.classify(Self.response(401, #"{"message":"x"}"#), Self.app)?.cause == .credentialsRejected)
        #expect(WebexErrors.classify(Self.response(403, #"{"message":"x"}"#), Self.app)?.cause == .permissionMissing)
        #expect(WebexErrors.classify(Self.response(404, #"{"message":"x"}"#), Self.app)?.cause == .targetNotFound)
        #expect(WebexErrors.classify(Self.response(400, #"{"message":"bad"}"#), Self.app)?.cause == .requestRejected)
    }

    @Test("Graph addresses: mail, else the UPN (never a guest's), then otherMails")
    func graphAddresses() throws {
        func emails(_ json: String) throws -> [String] {
            TeamsConnector.account(try JSONDecoder().decode(GraphUser.self, from: Data(json.utf8))).emails
        }
        #expect(try emails(#"{"id":"1","mail":"Ada@Example.com","userPrincipalName":"ada.l@corp.onmicrosoft.com"}"#) == ["Ada@Example.com"])
        #expect(try emails(#"{"id":"2","mail":null,"userPrincipalName":"grace@example.com"}"#) == ["grace@example.com"])
        #expect(
            try emails(#"{"id":"3","mail":null,"userPrincipalName":"g_x.org#EXT#@corp.onmicrosoft.com","otherMails":["g@x.org"]}"#) == ["g@x.org"])
        #expect(try emails(#"{"id":"4","mail":"a@b.c","otherMails":["A@B.C","d@e.f"]}"#) == ["a@b.c", "d@e.f"])
    }

    @Test("Link headers and Retry-After forms")
    func headers() {
        #expect(
            LinkHeader.next([#"<https://webexapis.com/v1/people?max=100&cursor=abc>; rel="next""#])
                == "https://webexapis.com/v1/people?max=100&cursor=abc")
        #expect(LinkHeader.next([#"<https://a/prev>; rel="prev", <https://a/next>; rel="next""#]) == "https://a/next")
        #expect(LinkHeader.next([#"<https://a/prev>; rel="prev""#]) == nil)
        let now = Date()
        #expect(RetryAfter.parse(["Retry-After": "12"], now: now) == now.addingTimeInterval(12))
        #expect(RetryAfter.parse(["Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"], now: now) != nil)
        #expect(RetryAfter.parse(["Retry-After": "soon"], now: now) == nil)
        #expect(RetryAfter.parse(["Retry-After": "inf"], now: now) == nil, "never an infinite wait")
        #expect(RetryAfter.parse(["Retry-After": "2099-01-01T00:00:00Z"], now: now) == now.addingTimeInterval(86_400), "at most a day")
    }
}
