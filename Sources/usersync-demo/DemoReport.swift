import UserSyncSimulator

/// What the demo prints at the end: where everything is, the syncs by status and platform, one
/// consent link to try, and commands to go on with.
struct DemoReport {
    let url: String
    let simulatorURL: String
    let organization: String
    let adminKey: String
    let operatorToken: String
    let workerMetricsURL: String?
    let throwawayDatabase: Bool
    let importsOnly: Bool
    let people: Int
    let syncs: [Person.Sync]
    let consent: SimMessage?
    let owner: SimAdmin
    let invitation: String

    var text: String {
        """

        UserSync is running at \(url)  (Ctrl-C stops it\(throwawayDatabase ? " and removes the throwaway database" : ""))

          Console:            \(url)/console
          One-time sign-in:   \(invitation)
                              (opens the console as \(owner.displayName), \(owner.email), through
                              "Sign in with Slack"; the link works once: afterwards sign in at \(url)/console
                              with the organization "\(organization)" and Slack as \(owner.email), or with the admin key)

          Demo organization:  \(organization)  (\(people) people imported from four simulated platforms)
          Demo admin key:     \(adminKey)
          Operator token:     \(operatorToken)

        \(summary)

        \(consentText)
          export KEY=\(adminKey)
          curl -s -H "Authorization: Bearer $KEY" \(url)/v1/orgs/\(organization)/connections
          curl -s -H "Authorization: Bearer $KEY" "\(url)/v1/orgs/\(organization)/people?sync_status=pending&limit=5"
          curl -s -H "Authorization: Bearer $KEY" "\(url)/v1/orgs/\(organization)/audit?limit=5"
          curl -s -H "Authorization: Bearer $KEY" \(url)/v1/orgs/\(organization)/people.csv | head
          curl -s \(url)/openapi.json
          README "Walkthrough" goes through the whole journey with curl.

          Platform simulator: \(simulatorURL)  (Slack, Teams, Zoom and Webex; see docs/simulator.md)
          \(simulatorURL)/                                 # its home page: credentials to connect by hand, admins to sign in as
          curl -s \(simulatorURL)/_sim/orgs/\(organization)            # the demo company's credentials and counts
          curl -s \(simulatorURL)/_sim/orgs/\(organization)/messages   # the consent prompts the bots delivered
        \(workerMetricsURL.map { "  Worker metrics:     \($0)\n" } ?? "")
        """
    }

    static let statuses = ["synced", "pending", "failed"]

    /// The syncs by status and platform, then each status's causes with their counts.
    var summary: String {
        guard !syncs.isEmpty else { return "  No syncs yet: README \"Walkthrough\" starts them." }
        let platforms = DemoJourney.platforms
        func pad(_ value: Int) -> String { String(repeating: " ", count: max(0, 5 - String(value).count)) + String(value) }
        var lines = ["  Syncs: \(syncs.count)      " + platforms.map { String(repeating: " ", count: 5 - $0.count) + $0 }.joined(separator: "   ")]
        for status in Self.statuses {
            let these = syncs.filter { $0.status == status }
            let name = status.padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append(
                "    \(name) \(pad(these.count))   "
                    + platforms.map { platform in pad(these.filter { $0.platform == platform }.count) }.joined(separator: "   "))
        }
        for status in Self.statuses {
            var order: [String] = []
            var counts: [String: Int] = [:]
            for sync in syncs where sync.status == status {
                let cause = sync.cause ?? "none"
                if counts[cause] == nil { order.append(cause) }
                counts[cause, default: 0] += 1
            }
            if !order.isEmpty {
                lines.append(
                    "    \(status.padding(toLength: 8, withPad: " ", startingAt: 0)) " + order.map { "\($0) \(counts[$0]!)" }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// How to use the consent link a bot delivered, if one was.
    var consentText: String {
        guard let message = consent, let link = message.link else {
            return importsOnly ? "" : "  No sync waits for a person's consent, so there is no consent link to show.\n"
        }
        let name = message.text.hasPrefix("Hi ") ? String(message.text.dropFirst(3).prefix { $0 != "," }) : "a person"
        let primary = Self.displayName[message.platform.rawValue] ?? message.platform.rawValue
        let secondary = Self.displayName.values.first { message.text.contains("Authorize UserSync on \($0) to finish") } ?? "their secondary platform"
        let from = "  (from the simulator's delivered messages, GET /_sim/orgs/\(organization)/messages):\n    \(link)\n"
        if secondary == "Microsoft Teams" {
            return """
                  The consent link a bot sent \(name) on \(primary) to authorize UserSync on Microsoft Teams
                \(from)  Open it in a browser, or with curl -L: the simulator runs with --auto-approve allow, so its
                  authorize page signs the person in at once and you land on "You are all set"; their Teams sync
                  is then synced. Each link works once.
                    curl -sL '\(link)'

                """
        }
        return """
              The consent link a bot sent \(name) on \(primary) to authorize UserSync on \(secondary)
            \(from)  \(secondary)'s authorize URL does not name the person, so approve it at the simulator's page
              as them (their address is on GET /v1/orgs/\(organization)/people?q=NAME); you land on "You are all set":
                AUTHORIZE=$(curl -s -o /dev/null -w '%{redirect_url}' '\(link)')
                curl -sL -d decision=allow -d login=THEIR_ADDRESS "$AUTHORIZE"

            """
    }

    static let displayName = ["slack": "Slack", "teams": "Microsoft Teams", "zoom": "Zoom", "webex": "Webex"]
}
