import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A real `usersync serve` over a test database, called over HTTP as the operator: it receives
/// the simulator's signed message events and answers the admin API.
struct ServeProcess {
    struct Reply {
        let status: Int
        let text: String

        func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(T.self, from: Data(text.utf8))
        }
    }

    struct Page<Item: Decodable>: Decodable { let items: [Item] }
    struct Identified: Decodable { let id: String }

    let process: Process
    /// `http://127.0.0.1:<port>`
    let base: String

    /// Starts `serve` with `environment` (on top of the test database's) and waits until it answers.
    static func start(_ db: TestDatabase, environment: [String: String]) async throws -> ServeProcess {
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["serve"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.environment = CommandLineTests.environment(db).merging([
            "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin", "USERSYNC_HTTP_PORT": String(port),
            "USERSYNC_PUBLIC_URL": "http://127.0.0.1:\(port)", "USERSYNC_LOG_LEVEL": "warning",
        ]) { $1 }.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let serve = ServeProcess(process: process, base: "http://127.0.0.1:\(port)")
        let ready = try await eventually(.seconds(60), "usersync serve answers") {
            let health = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(serve.base)/healthz"), timeout: .seconds(5))
            return health?.status == .ok || !process.isRunning
        }
        guard ready, process.isRunning else {
            serve.stop()
            throw TestEnvironmentError("usersync serve did not start on port \(port)")
        }
        return serve
    }

    func stop() { ChildProcess.stop(process, name: "usersync serve", within: .seconds(30)) }

    /// Calls the API as the operator.
    func call(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(String(repeating: "o", count: 40))")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Reply(status: Int(response.status.code), text: String(buffer: try await response.body.collect(upTo: 4 << 20)))
    }

    /// `call`, requiring `status`.
    func call(_ method: HTTPMethod, _ path: String, json: String? = nil, expect status: Int, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> Reply
    {
        let reply = try await call(method, path, json: json)
        try #require(reply.status == status, "\(method) \(path): \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        return reply
    }
}

/// An organization `acme` of the simulator connected on Slack and Teams through `serve`, its
/// people imported, and both platforms' message events sent to `serve` (the worker that runs the
/// imports and syncs is the caller's).
struct RelayProcessOrganization {
    struct Person: Decodable {
        struct Account: Decodable {
            let platform: Platform
            let platformUserId: String
            let active: Bool
            let guest: Bool
        }

        let id: String
        let email: String
        let accounts: [Account]
        func user(_ platform: Platform) -> String { accounts.first { $0.platform == platform }!.platformUserId }
    }

    let id: String
    let connections: [Platform: String]
    let slack: [Person]
    let teams: [Person]

    /// Connects and imports, then syncs `slackPeople` Slack-only people onto Teams and
    /// `teamsPeople` Teams-only people onto Slack, so that each can write to the others' stand-ins.
    static func build(_ serve: ServeProcess, _ platforms: SimulatedPlatforms, db: TestDatabase, slackPeople: Int, teamsPeople: Int)
        async throws -> RelayProcessOrganization
    {
        let org = try await serve.call(.POST, "/v1/orgs", json: #"{"slug":"acme","name":"Acme"}"#, expect: 201).decode(ServeProcess.Identified.self)
        var connections: [Platform: String] = [:]
        for platform in [Platform.slack, .teams] {
            let body = platforms.connectionBody(platform, organization: "acme")
            let connection = try await serve.call(.POST, "/v1/orgs/acme/connections", json: body, expect: 201).decode(ServeProcess.Identified.self).id
            if platform.importsSelectedTeams {
                struct Team: Decodable { let platformTeamId: String }
                let teams = try await serve.call(.GET, "/v1/orgs/acme/connections/\(connection)/teams/available", expect: 200)
                let ids = try teams.decode(ServeProcess.Page<Team>.self).items.map { "\"\($0.platformTeamId)\"" }
                let selection = #"{"select":[\#(ids.joined(separator: ","))]}"#
                _ = try await serve.call(.POST, "/v1/orgs/acme/connections/\(connection)/teams/selection", json: selection, expect: 200)
            }
            let started = try await serve.call(.POST, "/v1/orgs/acme/connections/\(connection)/imports")
            try #require([200, 202].contains(started.status), "\(started.text)")
            let run = try started.decode(ServeProcess.Identified.self).id
            struct Run: Decodable { let state: String }
            let imported = try await eventually(.seconds(120), "the \(platform) import ends") {
                try await serve.call(.GET, "/v1/orgs/acme/imports/\(run)").decode(Run.self).state == "succeeded"
            }
            try #require(imported)
            connections[platform] = connection
        }
        let people = try await serve.call(.GET, "/v1/orgs/acme/people?limit=200", expect: 200).decode(ServeProcess.Page<Person>.self).items
        func only(_ platform: Platform, _ count: Int) throws -> [Person] {
            let found = people.filter { person in
                person.accounts.count == 1 && person.accounts.allSatisfy { $0.platform == platform && $0.active && !$0.guest }
            }
            try #require(found.count >= count, "the simulated organization has too few people on \(platform) only")
            return Array(found.prefix(count))
        }
        let slack = try only(.slack, slackPeople), teams = try only(.teams, teamsPeople)
        for (person, onto) in slack.map({ ($0, Platform.teams) }) + teams.map({ ($0, Platform.slack) }) {
            let body = #"{"connection_id":"\#(connections[onto]!)"}"#
            _ = try await serve.call(.POST, "/v1/orgs/acme/people/\(person.id)/syncs", json: body, expect: 201)
        }
        let synced = try await eventually(.seconds(120), "every sync is synced") {
            try await db.scalar("SELECT count(*) FROM syncs WHERE status = 'synced'") == Int64(slackPeople + teamsPeople)
        }
        try #require(synced)
        // Each platform sends the connection's events to `serve`.
        for platform in [Platform.slack, .teams] {
            let url = "\(serve.base)/events/\(platform.rawValue)/\(org.id)/\(connections[platform]!)"
            try await platforms.simulator.setEventURL(organization: "acme", platform: platform, url: url, simulatorURL: platforms.baseURL)
        }
        return RelayProcessOrganization(id: org.id, connections: connections, slack: slack, teams: teams)
    }
}
