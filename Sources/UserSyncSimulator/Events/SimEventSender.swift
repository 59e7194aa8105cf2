import AsyncHTTPClient
import Foundation
import NIOCore
import UserSyncDomain

/// A request to an event URL. The body is fixed; the headers are made for each attempt, because
/// signatures carry the time of sending and Slack names the retry.
struct SimOutgoingEvent: Sendable {
    var organization: String
    var platform: Platform
    var url: String
    var kind: String
    var eventKey: String
    var body: Data
    var headers: @Sendable (_ retry: Int, _ reason: String?) async -> [(String, String)]
}

/// Sends events the way the platforms do: a POST that must be answered 2xx within the deadline,
/// else sent again after each configured delay (up to three more times). Every attempt is logged.
struct SimEventSender: Sendable {
    let state: SimulatorState

    struct Answer: Sendable {
        var status: Int
        var contentType: String
        var body: String
    }

    enum Outcome: Sendable {
        case answered(Answer)
        case timedOut
        case failed
    }

    /// One attempt, logged; handshakes use this directly (they are not retried).
    func send(_ event: SimOutgoingEvent, retry: Int = 0, reason: String? = nil, within seconds: Double? = nil) async -> Outcome {
        var request = HTTPClientRequest(url: event.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in await event.headers(retry, reason) { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: event.body))
        let outcome: Outcome
        do {
            let deadline = TimeAmount.milliseconds(Int64((seconds ?? state.configuration.eventDeadline) * 1000))
            let response = try await HTTPClient.shared.execute(request, timeout: deadline)
            let body = try await response.body.collect(upTo: 1 << 20)
            outcome = .answered(
                Answer(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "", body: String(buffer: body))
            )
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            outcome = .timedOut
        } catch {
            outcome = .failed
        }
        var status: Int?
        var failure: String?
        switch outcome {
        case .answered(let answer): status = answer.status
        case .timedOut: failure = "http_timeout"
        case .failed: failure = "connection_failed"
        }
        let entry = SimEventDelivery(
            organization: event.organization, platform: event.platform, url: event.url, kind: event.kind, eventKey: event.eventKey,
            retry: retry, status: status, error: failure, at: state.configuration.now())
        state.store.withLock { $0.eventDeliveries.append(entry) }
        return outcome
    }

    /// Sends until the event is answered 2xx or the retries are used up.
    func deliver(_ event: SimOutgoingEvent) async {
        let delays = state.configuration.eventRetryDelays
        var reason: String?
        for retry in 0...delays.count {
            if retry > 0 { try? await Task.sleep(for: .milliseconds(Int(delays[retry - 1] * 1000))) }
            switch await send(event, retry: retry, reason: reason) {
            case .answered(let answer) where (200..<300).contains(answer.status): return
            case .answered: reason = "http_error"
            case .timedOut: reason = "http_timeout"
            case .failed: reason = "connection_failed"
            }
        }
    }

    /// Queues events behind the earlier ones of the same conversation.
    func enqueue(_ events: [SimOutgoingEvent], conversation: String) {
        guard let first = events.first else { return }
        state.events.enqueue("\(first.organization)|\(first.platform.rawValue)|\(conversation)") {
            for event in events { await deliver(event) }
        }
    }
}
