import Foundation
import UserSyncDomain

/// Bot Framework activities to the bot's messaging endpoint, as docs/relay.md describes them:
/// `message`, `messageUpdate` and `messageDelete` for what people write to the bot, each with an
/// `Authorization: Bearer` JWT signed RS256 by the simulator's key (published through
/// ``BotFrameworkOpenID``), `iss` `https://api.botframework.com`, `aud` the bot's app id.
struct TeamsEvents: Sendable {
    let state: SimulatorState

    static let issuer = "https://api.botframework.com"

    func events(_ change: SimChatChange, _ message: SimChatMessage, _ context: SimEventContext) -> [SimOutgoingEvent] {
        // Chats between people reach an app through Graph change notifications, which the
        // simulator does not send for chats.
        guard let endpoint = context.endpoint, message.recipient == SimChat.bot else { return [] }
        let credentials = context.organization.credentials.teams
        let type =
            switch change {
            case .created: "message"
            case .edited: "messageUpdate"
            case .deleted: "messageDelete"
            }
        let now = SimChatEvents.iso(context.now)
        var channelData: [String: AnyCodable] = ["tenant": .object(["id": .string(credentials.tenantID)])]
        if change == .edited { channelData["eventType"] = "editMessage" }
        if change == .deleted { channelData["eventType"] = "softDeleteMessage" }
        var activity: [String: AnyCodable] = [
            "type": .string(type), "id": .string(message.id), "timestamp": .string(now), "localTimestamp": .string(now),
            "serviceUrl": .string(endpoint.serviceURL), "channelId": "msteams",
            "from": .object([
                "id": .string(Self.userID(message.author)), "aadObjectId": .string(message.author),
                "name": .string(context.account(.teams, message.author)?.displayName ?? ""),
            ]),
            "conversation": .object([
                "id": .string(message.conversation), "conversationType": "personal", "tenantId": .string(credentials.tenantID),
            ]),
            "recipient": .object(["id": .string("28:\(credentials.botAppID)"), "name": "UserSync"]),
            "channelData": .object(channelData), "locale": "en-US",
        ]
        if change != .deleted {
            activity["text"] = .string(message.text)
            activity["textFormat"] = "plain"
        }
        if let thread = message.thread { activity["replyToId"] = .string(thread) }
        // As Teams sends it: the formatted text as a text/html attachment beside the plain text.
        var attachments: [AnyCodable] = change == .deleted ? [] : [.object(["contentType": "text/html", "content": .string(message.text)])]
        attachments += message.files.map {
            .object([
                "contentType": "application/vnd.microsoft.teams.file.download.info", "name": .string($0.name),
                "content": .object(["downloadUrl": .string($0.url), "uniqueId": .string(String(stableHash($0.url), radix: 16))]),
            ])
        }
        if !attachments.isEmpty { activity["attachments"] = .array(attachments) }
        let data = SimSignatures.encode(activity)
        let signer = self
        return [
            SimOutgoingEvent(
                organization: context.organization.name, platform: .teams, url: endpoint.url, kind: type, eventKey: "\(type):\(message.id)",
                body: data
            ) { _, _ in
                guard let token = try? await signer.token(audience: credentials.botAppID, serviceURL: endpoint.serviceURL) else { return [] }
                return [("Authorization", "Bearer \(token)"), ("User-Agent", "Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)")]
            }
        ]
    }

    /// The Bot Framework's id of a Teams user (`29:…`): the simulator derives it from the Entra
    /// object id, which activities also carry as `aadObjectId`.
    static func userID(_ aadObjectID: String) -> String { "29:\(aadObjectID)" }

    /// A Bot Framework token as the Bot Connector sends it to a bot, valid for an hour and sent
    /// with every activity for the bot until it is half spent. The service URL is in both
    /// spellings: the Bot Framework SDKs read `serviceurl`, docs/relay.md names it `serviceUrl`.
    func token(audience: String, serviceURL: String) async throws -> String {
        let lifetime = 3600
        return try await state.signingKey.reusable("botframework \(audience) \(serviceURL)", lifetime: TimeInterval(lifetime)) { at in
            let now = Int(at.timeIntervalSince1970)
            return SimIDTokenClaims([
                "iss": .string(Self.issuer), "aud": .string(audience), "serviceurl": .string(serviceURL), "serviceUrl": .string(serviceURL),
                "nbf": .int(now - 300), "iat": .int(now), "exp": .int(now + lifetime), "jti": .string(UUID().uuidString.lowercased()),
            ])
        }
    }
}
