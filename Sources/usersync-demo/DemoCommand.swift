import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `scripts/demo`'s journey through a running UserSync and platform simulator (the script only
/// builds and starts the processes): an organization and an admin key made with the operator
/// token (`USERSYNC_OPERATOR_TOKEN`), then ``DemoJourney``, then what to open and try next.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-demo", abstract: "Drives the demo organization's journey through UserSync's API and prints what to try next.")

    @Option(help: "UserSync's base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "The platform simulator's base URL.") var simulatorURL = "http://127.0.0.1:8090"
    @Option(help: "The organization's slug (the simulator's company has the same name).") var organization = "demo"
    @Option(help: "Where `usersync work` serves its metrics, to print.") var workerMetricsURL: String?
    @Flag(help: "Stop after the imports, leaving primaries and syncs to you (README \"Walkthrough\").") var importsOnly = false
    @Flag(help: "Say that stopping the demo removes its throwaway database.") var throwawayDatabase = false

    func run() async throws {
        guard let token = ProcessInfo.processInfo.environment["USERSYNC_OPERATOR_TOKEN"], !token.isEmpty else {
            throw ValidationError("set USERSYNC_OPERATOR_TOKEN to the operator token of the running service")
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await journey(operatorToken: token, http: http)
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    func journey(operatorToken: String, http: HTTPClient) async throws {
        let operatorClient = DemoClient(http: http, base: url, token: operatorToken)
        let simulator = DemoClient(http: http, base: simulatorURL, token: nil)
        let ready = try await waitUntil(.seconds(60)) {
            let service = await operatorClient.answers("/readyz"), platforms = await simulator.answers("/_sim/health")
            return service && platforms
        }
        guard ready else { throw DemoClient.Refused(description: "\(url)/readyz or \(simulatorURL)/_sim/health did not answer within 60 s") }

        if !(await operatorClient.answers("/v1/orgs/\(organization)")) {
            struct Create: Encodable { let slug: String, name: String }
            let _: Identified = try await operatorClient.post("/v1/orgs", json: Create(slug: organization, name: "Demo Organization"))
        }
        struct NewKey: Encodable { let name: String, role = "admin" }
        let stamp = ISO8601DateFormatter().string(from: Date())
        let key: CreatedKey = try await operatorClient.post("/v1/orgs/\(organization)/keys", json: NewKey(name: "demo admin \(stamp)"))
        let journey = DemoJourney(
            api: DemoClient(http: http, base: url, token: key.secret), simulator: simulator, organization: organization, say: say)

        say("==> connecting Slack, Teams, Zoom and Webex (simulated) and importing their users")
        let connections = try await journey.connectAll()
        let people = try await journey.importAll(connections)
        if !importsOnly {
            let undecided = try await journey.choosePrimaries()
            if undecided > 0 { say("    \(undecided) people still need a primary choice (GET /people?needs_primary_choice=true)") }
            try await journey.syncEveryone(connections)
            say("==> waiting until every sync is synced, failed, or waiting for its person's consent")
        }
        let syncs = try await journey.settledSyncs()
        let message = try await journey.consentMessage(syncs)
        let (owner, invitation) = try await journey.ownerInvitation(through: operatorClient)
        let report = DemoReport(
            url: url, simulatorURL: simulatorURL, organization: organization, adminKey: key.secret, operatorToken: operatorToken,
            workerMetricsURL: workerMetricsURL, throwawayDatabase: throwawayDatabase, importsOnly: importsOnly, people: people, syncs: syncs,
            consent: message, owner: owner, invitation: invitation)
        say(report.text)
    }
}

/// Writes a line at once (unbuffered), in order with the services' own output and the errors.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
