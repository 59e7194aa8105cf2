import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// An organization with all four simulated platforms connected and imported.
struct Connected {
    var connections: [Platform: String]
}

extension API {
    /// Connects the four platforms of simulated `organization`, selects every team, imports all.
    func connectAndImportAll(organization: String = "acme", org: String = "acme") async throws -> Connected {
        var connections: [Platform: String] = [:]
        for platform in Platform.allCases {
            let connection = try await connect(platform, organization: organization, org: org)
            if platform.importsSelectedTeams { _ = try await selectAllTeams(connection, org: org) }
            let run = try await importAndWait(connection, org: org)
            #expect(run.state == "succeeded", "\(platform): \(run)")
            connections[platform] = connection
        }
        return Connected(connections: connections)
    }

    /// Gives everyone who needs a choice a primary: the first of `order` they are active on.
    func choosePrimaries(order: [Platform] = [.slack, .teams, .webex, .zoom], org: String = "acme") async throws {
        for platform in order {
            let reply = try await call(
                .post, "/v1/orgs/\(org)/people/primary", json: #"{"platform":"\#(platform.rawValue)","filter":{"needs_primary_choice":true}}"#)
            #expect(reply.status == .ok, "\(reply.text)")
        }
        #expect(try await personViews(org: org, query: "needs_primary_choice=true").isEmpty)
    }

    /// Asks to sync everyone onto every connection (those it is the primary of are skipped).
    func syncEveryone(_ connected: Connected, org: String = "acme") async throws -> [Platform: [String: Int]] {
        var tallies: [Platform: [String: Int]] = [:]
        for (platform, connection) in connected.connections {
            let reply = try await call(.post, "/v1/orgs/\(org)/syncs", json: #"{"connection_id":"\#(connection)","filter":{}}"#)
            #expect(reply.status == .accepted, "\(reply.text)")
            tallies[platform] = try reply.decode(TallyView.self).counts
        }
        return tallies
    }

    /// One sync of the `acme` organization, with its history, typed.
    func syncView(_ id: String) async throws -> SyncView {
        let reply = try await call(.get, "/v1/orgs/acme/syncs/\(id)")
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(SyncView.self)
    }

    /// Waits until no sync waits for the worker (each is synced, failed, or waits for its person).
    func waitForSyncsToSettle(timeout: Duration = .seconds(120)) async throws {
        try await eventually(timeout, "syncs still wait for the worker") {
            try await db.scalar("SELECT count(*) FROM syncs WHERE status = 'pending' AND cause IS DISTINCT FROM 'awaiting_user_consent'") == 0
        }
    }

    /// Opens a consent link and signs in at the simulated platform as `login`, allowing (or denying)
    /// the way a person's browser would; returns the page the service shows at the end.
    func answerConsent(_ link: String, login: String, allow: Bool = true) async throws -> Reply {
        // The link names the service's public URL (the worker's, which a live test sets to its port).
        let url = try #require(URLComponents(string: link))
        let opened = try await call(.get, url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? ""), token: nil)
        guard opened.status == .found, let authorize = opened.headers[.location] else { return opened }
        return try await call(.get, try await signIn(at: authorize, login: login, allow: allow), token: nil)
    }

    /// Answers the simulated platform's authorize page (the URL the service redirected to) as
    /// `login`; returns the path of the service's callback the platform redirects back to, not
    /// yet followed.
    func signIn(at authorize: String, login: String, allow: Bool = true) async throws -> String {
        let url = try #require(URLComponents(string: authorize))
        var form = URLComponents()
        form.queryItems =
            (url.queryItems ?? []).filter { ["client_id", "redirect_uri", "state"].contains($0.name) }
            + [.init(name: "login", value: login), .init(name: "decision", value: allow ? "allow" : "deny")]
        var request = HTTPClientRequest(url: "\(url.scheme!)://\(url.host!):\(url.port!)\(url.path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form.percentEncodedQuery ?? ""))
        // A browser would follow the redirect to the service; the test calls the router itself.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let answer: HTTPClientResponse
        do { answer = try await client.execute(request, timeout: .seconds(10)) } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let location = try #require(answer.headers.first(name: "Location"), "the simulator did not redirect back: \(answer.status)")
        #expect(location.hasPrefix("http://usersync.test/oauth/"))
        return String(location.dropFirst("http://usersync.test".count))
    }

    /// Every sync of the organization, with its person's primary platform.
    func syncs() async throws -> [(person: String, platform: String, mode: String?, status: String, cause: String?)] {
        var result: [(String, String, String?, String, String?)] = []
        for person in try await personViews() {
            for sync in person.syncs { result.append((person.id, sync.platform.rawValue, sync.mode, sync.status, sync.cause)) }
        }
        return result
    }
}
