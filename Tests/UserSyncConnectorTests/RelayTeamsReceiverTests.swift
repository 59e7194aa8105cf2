import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncTestSupport

@Suite("Relay: Bot Framework activities are verified before they are read")
struct RelayTeamsReceiverTests {
    static let tenant = "7a1e5b2c-0d3f-4e6a-9b8c-1d2e3f4a5b6c"
    static let serviceURL = "https://smba.trafficmanager.net/emea/"
    static let now = RelayRequests.now

    static func receiver(_ server: BotKeyServer, settings: ConnectorSettings = SimulatedPlatforms.testSettings) -> any PlatformEventReceiver {
        var settings = settings
        settings.botFrameworkOpenIDURL = server.metadataURL
        return RelayRequests.receiver(
            .teams(.init(tenantID: tenant, clientID: "graph-app", clientSecret: "secret", botAppID: "bot-app")), settings: settings)
    }

    static func claims(aud: String = "bot-app", expiresIn: TimeInterval = 3600, serviceURL: String = serviceURL) -> BotKeyServer.Claims {
        BotKeyServer.Claims(aud: aud, exp: now.addingTimeInterval(expiresIn), nbf: now.addingTimeInterval(-60), serviceurl: serviceURL)
    }

    static func token(_ claims: BotKeyServer.Claims = claims(), key: BotKeyServer.Key = BotKeyServer.first, as kid: String? = nil)
        async throws -> String
    {
        try await BotKeyServer.sign(claims, with: key, as: kid)
    }

    static func activity(_ changes: [String: Any] = [:]) -> String {
        var activity: [String: Any] = [
            "type": "message", "id": "1731400199000", "timestamp": "2024-11-12T08:29:59.1234567Z", "serviceUrl": serviceURL,
            "channelId": "msteams", "from": ["id": "29:1ada", "aadObjectId": "aad-ada", "name": "Ada"],
            "conversation": ["id": "a:1conversation", "conversationType": "personal", "tenantId": tenant], "recipient": ["id": "28:bot-app"],
            "text": "hi <b>there</b>", "textFormat": "xml", "replyToId": "1731400100000",
        ]
        activity.merge(changes) { $1 }
        return RelayRequests.json(activity)
    }

    static func request(_ body: String, token: String?) -> InboundRequest {
        InboundRequest(headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:], body: Array(body.utf8))
    }

    @Test("a message to the bot: the Entra author, the text and the thread")
    func message() async throws {
        try await BotKeyServer.run { server in
            let events = try await RelayRequests.events(Self.receiver(server), Self.request(Self.activity(), token: try await Self.token()))
            let event = try #require(events.first)
            #expect(events.count == 1)
            #expect(event.kind == .message)
            #expect(event.eventKey == "1731400199000")
            #expect(event.conversationID == "a:1conversation")
            #expect(event.messageID == "1731400199000")
            #expect(event.senderUserID == "aad-ada")
            #expect(event.toBot)
            #expect(event.recipientUserID == nil)
            #expect(event.text == "hi <b>there</b>")
            #expect(event.threadID == "1731400100000")
            #expect(abs(event.sentAt.timeIntervalSince1970 - 1_731_400_199.123) < 0.001)
        }
    }

    @Test("plain text is escaped into Teams HTML; the HTML attachment and files are read")
    func textAndFiles() async throws {
        try await BotKeyServer.run { server in
            let receiver = Self.receiver(server)
            let token = try await Self.token()
            let plain = try await RelayRequests.events(
                receiver, Self.request(Self.activity(["text": "1 < 2 & 3", "textFormat": "plain"]), token: token))
            #expect(plain.first?.text == "1 &lt; 2 &amp; 3")
            let attachments: [[String: Any]] = [
                ["contentType": "text/html", "content": "<p>hi <i>there</i></p>"],
                [
                    "contentType": "application/vnd.microsoft.teams.file.download.info", "name": "plan.pdf",
                    "contentUrl": "https://contoso.sharepoint.com/plan.pdf", "content": ["downloadUrl": "https://download.example/plan.pdf"],
                ],
            ]
            let rich = try await RelayRequests.events(receiver, Self.request(Self.activity(["attachments": attachments]), token: token)).first
            #expect(rich?.text == "<p>hi <i>there</i></p>")
            #expect(rich?.files == [InboundFile(name: "plan.pdf", url: "https://download.example/plan.pdf")])
        }
    }

    @Test("edits and deletions name the message they change; only personal conversations of the tenant count")
    func kindsAndScope() async throws {
        try await BotKeyServer.run { server in
            let receiver = Self.receiver(server)
            let token = try await Self.token()
            let edit = try await RelayRequests.events(receiver, Self.request(Self.activity(["type": "messageUpdate"]), token: token)).first
            #expect(edit?.kind == .edit)
            #expect(edit?.messageID == "1731400199000")
            #expect(edit?.eventKey != "1731400199000", "an edit is not the message's own event")
            let delete = try await RelayRequests.events(receiver, Self.request(Self.activity(["type": "messageDelete"]), token: token)).first
            #expect(delete?.kind == .delete)
            #expect(delete?.text == nil)
            let noEntraID = try await RelayRequests.events(
                receiver, Self.request(Self.activity(["from": ["id": "29:1ada"]]), token: token)
            ).first
            #expect(noEntraID?.senderUserID == "29:1ada")
            let ignored = [
                Self.activity(["type": "conversationUpdate"]),
                Self.activity(["conversation": ["id": "19:group", "conversationType": "groupChat", "tenantId": Self.tenant]]),
                Self.activity(["conversation": ["id": "a:1", "conversationType": "personal", "tenantId": "00000000-0000-0000-0000-000000000001"]]),
            ]
            for body in ignored {
                #expect(try await RelayRequests.events(receiver, Self.request(body, token: token)).isEmpty)
            }
        }
    }

    @Test("a token for another bot or issuer, expired, or for another serviceUrl is refused")
    func claimsRefused() async throws {
        try await BotKeyServer.run { server in
            let receiver = Self.receiver(server)
            let body = Self.activity()
            var otherIssuer = Self.claims()
            otherIssuer.iss = "https://sts.windows.net/\(Self.tenant)/"
            var early = Self.claims()
            early.nbf = Self.now.addingTimeInterval(900)
            let cases: [(BotKeyServer.Claims, EventRefusal.Code)] = [
                (Self.claims(aud: "graph-app"), .forgedSignature), (otherIssuer, .forgedSignature),
                (Self.claims(expiresIn: -600), .stale), (early, .stale),
                (Self.claims(serviceURL: "https://evil.example/"), .forgedSignature),
            ]
            for (claims, code) in cases {
                let token = try await Self.token(claims)
                #expect(await RelayRequests.refusal(receiver, Self.request(body, token: token)) == code, "\(claims)")
            }
            // Within the leeway, and the serviceUrl without its trailing slash, are accepted.
            let lenient = Self.claims(expiresIn: -200, serviceURL: "https://smba.trafficmanager.net/emea")
            let token = try await Self.token(lenient)
            #expect(try await RelayRequests.events(receiver, Self.request(body, token: token)).count == 1)
        }
    }

    @Test("a token that verified is accepted again while it lasts (it is kept), and refused once expired or before it is valid")
    func rememberedToken() async throws {
        try await BotKeyServer.run { server in
            let receiver = Self.receiver(server)
            let request = Self.request(Self.activity(), token: try await Self.token(Self.claims(expiresIn: 600)))
            #expect(try await RelayRequests.events(receiver, request).count == 1)
            #expect(try await RelayRequests.events(receiver, request, now: Self.now.addingTimeInterval(300)).count == 1)
            #expect(await RelayRequests.refusal(receiver, request, now: Self.now.addingTimeInterval(7200)) == .stale)
            #expect(await RelayRequests.refusal(receiver, request, now: Self.now.addingTimeInterval(-7200)) == .stale, "not valid yet")
        }
    }

    @Test("unsigned, wrongly signed, malformed and unendorsed requests are refused")
    func signatureRefused() async throws {
        try await BotKeyServer.run { server in
            let receiver = Self.receiver(server)
            let body = Self.activity()
            #expect(await RelayRequests.refusal(receiver, Self.request(body, token: nil)) == .unsigned)
            let basic = InboundRequest(headers: ["Authorization": "Basic Ym90OnNlY3JldA=="], body: Array(body.utf8))
            #expect(await RelayRequests.refusal(receiver, basic) == .unsigned)
            #expect(await RelayRequests.refusal(receiver, Self.request(body, token: "not.a.jwt")) == .forgedSignature)
            let unknown = try await Self.token(key: BotKeyServer.unpublished)
            #expect(await RelayRequests.refusal(receiver, Self.request(body, token: unknown)) == .forgedSignature)
            let impostor = try await Self.token(key: BotKeyServer.unpublished, as: BotKeyServer.first.kid)
            #expect(await RelayRequests.refusal(receiver, Self.request(body, token: impostor)) == .forgedSignature)
            let valid = try await Self.token()
            #expect(await RelayRequests.refusal(receiver, Self.request("{\"type\":", token: valid)) == .malformed)
            let skype = Self.activity(["channelId": "skype"])
            #expect(await RelayRequests.refusal(receiver, Self.request(skype, token: valid)) == .forgedSignature)
        }
    }
}
