import Foundation
import UserSyncDomain

/// Why a platform would not take an event URL.
public enum SimEventURLError: Error, Sendable, Equatable {
    case unknownOrganization
    case invalidURL
    /// The URL did not pass the platform's handshake (Slack `url_verification`, Zoom
    /// `endpoint.url_validation`); the message says how it failed.
    case handshakeFailed(String)
}

/// Sets where a platform sends an organization's events, after the handshake the platform makes
/// when an admin enters the URL: Slack's `url_verification` challenge, Zoom's
/// `endpoint.url_validation` (platform-apis.md §1.6, §3.6). Teams takes the bot's messaging
/// endpoint as it is; Webex sends to the webhooks made with `POST /webhooks` and ignores it.
struct SimEventURLs: Sendable {
    let state: SimulatorState

    private var handshakeDeadline: Double { state.configuration.handshakeDeadline ?? state.configuration.eventDeadline }

    /// Sets (or with nil clears) the URL; false when the platform ignores it (Webex).
    func set(organization: String, platform: Platform, url: String?, serviceURL: String) async throws(SimEventURLError) -> Bool {
        guard let credentials = state.store.withLock({ $0.organizations[organization]?.credentials }) else { throw .unknownOrganization }
        if platform == .webex { return false }
        guard let url else {
            _ = state.withOrganization(organization) { $0.chat.endpoints[platform] = nil }
            return true
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else { throw .invalidURL }
        switch platform {
        case .slack: try await slackChallenge(url, organization: organization, secret: credentials.slack.signingSecret)
        case .zoom: try await zoomValidation(url, organization: organization, secret: credentials.zoom.webhookSecretToken)
        case .teams, .webex: break
        }
        _ = state.withOrganization(organization) { $0.chat.endpoints[platform] = SimEventEndpoint(url: url, serviceURL: serviceURL) }
        return true
    }

    private func slackChallenge(_ url: String, organization: String, secret: String) async throws(SimEventURLError) {
        let challenge = SimChatEvents.randomID(48)
        let body: [String: AnyCodable] = ["token": "simulated-verification-token", "challenge": .string(challenge), "type": "url_verification"]
        let request = SlackEvents.signed(body, kind: "url_verification", key: challenge, organization: organization, url: url, secret: secret)
        let answer = try await answer(SimEventSender(state: state).send(request, within: handshakeDeadline))
        let text = answer.body.trimmingCharacters(in: .whitespacesAndNewlines)
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        let echoed = text == challenge || json?["challenge"] as? String == challenge || SimHTTP.decodeForm(text)["challenge"] == challenge
        guard echoed else { throw .handshakeFailed("the Request URL answered url_verification without the challenge") }
    }

    private func zoomValidation(_ url: String, organization: String, secret: String) async throws(SimEventURLError) {
        let plainToken = SimChatEvents.randomID(22)
        let body: [String: AnyCodable] = [
            "event": "endpoint.url_validation", "event_ts": .int(Int(Date().timeIntervalSince1970 * 1000)),
            "payload": .object(["plainToken": .string(plainToken)]),
        ]
        let request = ZoomEvents.signed(
            body, kind: "endpoint.url_validation", key: plainToken, organization: organization, url: url, secret: secret)
        let answer = try await answer(SimEventSender(state: state).send(request, within: handshakeDeadline))
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any]
        guard json?["plainToken"] as? String == plainToken else {
            throw .handshakeFailed("the endpoint answered endpoint.url_validation without the plainToken")
        }
        guard json?["encryptedToken"] as? String == SimSignatures.hmacSHA256(secret: secret, Data(plainToken.utf8)) else {
            throw .handshakeFailed("the endpoint's encryptedToken is not the HMAC-SHA256 of the plainToken with the secret token")
        }
    }

    /// A 200 answer, or the failure the admin would see.
    private func answer(_ outcome: SimEventSender.Outcome) throws(SimEventURLError) -> SimEventSender.Answer {
        switch outcome {
        case .answered(let answer) where answer.status == 200: return answer
        case .answered(let answer): throw .handshakeFailed("the URL answered the handshake with HTTP \(answer.status)")
        case .timedOut: throw .handshakeFailed("the URL did not answer the handshake within \(handshakeDeadline) s")
        case .failed: throw .handshakeFailed("the URL could not be reached")
        }
    }
}
