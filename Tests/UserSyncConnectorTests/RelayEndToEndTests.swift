import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// An event URL as UserSync serves it, reduced to the receiver: each request is handed to the
/// connection's ``PlatformEventReceiver`` and answered as the API answers (the handshake's body,
/// 200 for events, the refusal's status), and what it made of the request is kept.
final class RelayEndpoint: Sendable {
    private let receiver: any PlatformEventReceiver
    private let log = Mutex<(events: [InboundEvent], refusals: [EventRefusal.Code])>(([], []))
    private let base = Mutex("")

    private init(receiver: any PlatformEventReceiver) { self.receiver = receiver }

    var url: String { base.withLock { $0 } + "/events" }
    var events: [InboundEvent] { log.withLock { $0.events } }
    var refusals: [EventRefusal.Code] { log.withLock { $0.refusals } }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/events") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            do {
                switch try await self.receiver.receive(InboundRequest(headers: headers, body: Array(buffer: body)), now: Date()) {
                case .challenge(let text, let contentType):
                    return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
                case .events(let events):
                    self.log.withLock { $0.events += events }
                    return Response(status: .ok)
                }
            } catch let refusal as EventRefusal {
                self.log.withLock { $0.refusals.append(refusal.code) }
                return Response(status: .init(code: refusal.httpStatus))
            }
        }
        return router
    }

    static func run<T: Sendable>(_ receiver: any PlatformEventReceiver, _ body: @Sendable (RelayEndpoint) async throws -> T) async throws -> T {
        var logger = Logger(label: "relay-endpoint")
        logger.logLevel = .critical
        let port = PortBox()
        let endpoint = RelayEndpoint(receiver: receiver)
        let app = Application(
            router: endpoint.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { port.set($0.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
            group.addTask { try await services.run() }
            let bound = try await port.wait()
            endpoint.base.withLock { $0 = "http://127.0.0.1:\(bound)" }
            let result: Result<T, any Error>
            do { result = .success(try await body(endpoint)) } catch { result = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}

@Suite("Relay: the simulated platforms' own events, verified and read, end to end")
struct RelayEndToEndTests {
    /// A factory whose Teams receivers verify with the simulator's Bot Framework keys.
    static func factory(_ platforms: SimulatedPlatforms) -> ConnectorFactory {
        var settings = SimulatedPlatforms.testSettings
        settings.botFrameworkOpenIDURL = platforms.baseURL + "/botframework/v1/.well-known/openidconfiguration"
        var logger = Logger(label: "relay-e2e")
        logger.logLevel = .critical
        return ConnectorFactory(settings: settings, logger: logger)
    }

    /// Points the platform's events at `endpoint`: the event URL (after its handshake), or the
    /// relay's Webex webhook.
    static func register(_ platforms: SimulatedPlatforms, _ platform: Platform, _ relay: any RelayConnector, _ endpoint: RelayEndpoint)
        async throws
    {
        if platform == .webex {
            try await relay.subscribeToEvents(url: endpoint.url, secret: RelayPlatforms.webhookSecret)
        } else {
            #expect(
                try await platforms.simulator.setEventURL(
                    organization: "acme", platform: platform, url: endpoint.url, simulatorURL: platforms.baseURL))
        }
    }

    @Test("a DM to the bot arrives signed, is verified, read and completed as a reply to a persona", arguments: Platform.allCases)
    func toBot(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (person, _) = try RelayPlatforms.people(platforms, on: platform)
            let factory = Self.factory(platforms)
            let connection = RelayPlatforms.connection(platforms, platform)
            let relay = factory.relayConnector(for: connection)
            try await RelayEndpoint.run(factory.eventReceiver(for: connection)) { endpoint in
                try await Self.register(platforms, platform, relay, endpoint)
                let written = try platforms.simulator.writeMessage(
                    organization: "acme", platform: platform, .init(from: person, to: "bot", text: "hi *there*"))
                await platforms.simulator.eventsSettled()
                #expect(endpoint.refusals.isEmpty)
                let event = try #require(endpoint.events.first)
                #expect(endpoint.events.count == 1)
                #expect(event.kind == .message)
                #expect(event.messageID == written.id)
                #expect(event.senderUserID == person)
                let completed = try await relay.complete(event)
                #expect(completed.toBot)
                #expect(completed.recipientUserID == nil)
                #expect(completed.text?.contains("there") == true, "\(String(describing: completed.text))")

                // The bot of Zoom hears of new messages only.
                guard platform != .zoom else { return }
                _ = try platforms.simulator.editMessage(organization: "acme", platform: platform, id: written.id, text: "hi *all*")
                await platforms.simulator.eventsSettled()
                let edit = try await relay.complete(try #require(endpoint.events.last))
                #expect(edit.kind == .edit)
                #expect(edit.text?.contains("all") == true)
                try platforms.simulator.deleteMessage(organization: "acme", platform: platform, id: written.id)
                await platforms.simulator.eventsSettled()
                #expect(endpoint.refusals.isEmpty)
                #expect(endpoint.events.map(\.kind) == [.message, .edit, .delete])
                #expect(Set(endpoint.events.map(\.eventKey)).count == 3)
                #expect(endpoint.events.allSatisfy { $0.messageID == written.id })
            }
        }
    }

    @Test("a DM to a person who authorized UserSync names them as the recipient", arguments: [Platform.slack, .zoom])
    func toLinkedPerson(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (sender, recipient) = try RelayPlatforms.people(platforms, on: platform)
            _ = try RelayPlatforms.tokens(platforms, platform, recipient)
            let factory = Self.factory(platforms)
            let connection = RelayPlatforms.connection(platforms, platform)
            let relay = factory.relayConnector(for: connection)
            try await RelayEndpoint.run(factory.eventReceiver(for: connection)) { endpoint in
                try await Self.register(platforms, platform, relay, endpoint)
                let written = try platforms.simulator.writeMessage(
                    organization: "acme", platform: platform, .init(from: sender, to: recipient, text: "lunch?"))
                await platforms.simulator.eventsSettled()
                #expect(endpoint.refusals.isEmpty)
                let event = try #require(endpoint.events.first)
                #expect(event.messageID == written.id)
                #expect(event.senderUserID == sender)
                #expect(!event.toBot)
                #expect(event.recipientUserID == recipient)
                #expect(try await relay.complete(event) == event, "nothing left to look up")
            }
        }
    }

    @Test("an event URL with another connection's secret refuses the platform's requests")
    func wrongSecret() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            var connection = RelayPlatforms.connection(platforms, .slack)
            connection.credentials = .slack(.init(botToken: "xoxb-other", signingSecret: "another-apps-signing-secret"))
            try await RelayEndpoint.run(Self.factory(platforms).eventReceiver(for: connection)) { endpoint in
                await #expect(throws: SimEventURLError.self) {
                    try await platforms.simulator.setEventURL(
                        organization: "acme", platform: .slack, url: endpoint.url, simulatorURL: platforms.baseURL)
                }
                #expect(endpoint.refusals == [.forgedSignature])
            }
        }
    }
}
