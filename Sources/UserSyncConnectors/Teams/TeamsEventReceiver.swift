import Foundation

/// Verifies and reads one Teams connection's Bot Framework activities (docs/relay.md "Microsoft
/// Teams"): the bearer token first (``BotFrameworkAuthentication``), then the activity, whose
/// `serviceUrl` must be the one the token was issued for and whose channel the signing key must
/// be endorsed for. `message`, `messageUpdate` and `messageDelete` in `personal` conversations
/// are the relay's; the Bot Framework only delivers what is written to the bot, so each is
/// `toBot`. The author is `from.aadObjectId` (the Entra user id UserSync imports), else `from.id`.
struct TeamsEventReceiver: PlatformEventReceiver {
    let appID: String
    let tenantID: String
    let authentication: BotFrameworkAuthentication
    let leeway: TimeInterval

    func receive(_ request: InboundRequest, now: Date) async throws(EventRefusal) -> EventReception {
        let verified = try await authentication.verify(request.header("authorization"), appID: appID, now: now, leeway: leeway)
        let activity = try decodeEvent(BotActivityIn.self, request.body, platform: "Bot Framework")
        guard let serviceURL = activity.serviceUrl, let claimed = verified.serviceURL, Self.same(serviceURL, claimed) else {
            throw EventRefusal(.forgedSignature, "the activity's serviceUrl is not the one its token was issued for")
        }
        if let endorsed = verified.endorsements, let channel = activity.channelId, !endorsed.contains(channel) {
            throw EventRefusal(.forgedSignature, "the signing key is not endorsed for the channel \(channel)")
        }
        let kind: InboundEvent.Kind
        switch activity.type {
        case "message": kind = .message
        case "messageUpdate": kind = .edit
        case "messageDelete": kind = .delete
        default: return .events([])
        }
        guard activity.conversation?.conversationType == "personal", isOurTenant(activity.conversation?.tenantId) else { return .events([]) }
        guard let id = activity.id, let conversation = activity.conversation?.id,
            let sender = activity.from?.aadObjectId ?? activity.from?.id
        else { throw EventRefusal(.malformed, "the activity has no id, conversation or sender") }
        return .events([
            InboundEvent(
                kind: kind,
                // An edit or deletion names the message it changes: its type and time tell it apart.
                eventKey: kind == .message ? id : [activity.type ?? "", id, activity.timestamp ?? ""].joined(separator: ":"),
                conversationID: conversation, messageID: id, senderUserID: sender, recipientUserID: nil, toBot: true,
                text: kind == .delete ? nil : Self.text(activity), threadID: activity.replyToId,
                files: (activity.attachments ?? []).compactMap { attachment in
                    guard attachment.contentType == "application/vnd.microsoft.teams.file.download.info",
                        let url = attachment.file?.downloadUrl ?? attachment.contentUrl
                    else { return nil }
                    return InboundFile(name: attachment.name ?? "file", url: url)
                },
                sentAt: parseEventDate(activity.timestamp) ?? now)
        ])
    }

    /// A bot app registered for several tenants hears all of them; only the connection's own
    /// tenant's people are relayed (when the connection names its tenant by id, not by domain).
    private func isOurTenant(_ tenant: String?) -> Bool {
        guard let tenant, UUID(uuidString: tenantID) != nil else { return true }
        return tenant.lowercased() == tenantID.lowercased()
    }

    /// The text in Teams' HTML: the `text/html` attachment Teams adds when there is one, else
    /// `text` (escaped when its format is `plain`, so that it is HTML like every Teams text).
    static func text(_ activity: BotActivityIn) -> String {
        if let html = activity.attachments?.first(where: { $0.contentType == "text/html" })?.html { return html }
        let text = activity.text ?? ""
        return activity.textFormat == "plain" ? escapeHTML(text) : text
    }

    static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Service URLs compared without case or a trailing slash, as the Bot Framework SDKs do.
    static func same(_ a: String, _ b: String) -> Bool {
        func normalized(_ url: String) -> String {
            var url = url.lowercased()
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        return normalized(a) == normalized(b)
    }
}
